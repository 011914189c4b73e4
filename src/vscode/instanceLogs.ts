import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { Instance } from '../core/models';
import { runOperation } from './operationProgress';

const TAIL_LINES = 1000;

/** Shows an instance's recent logs in its own output channel ("Remote Swarm: <name>"), closed when the instance goes. */
export class InstanceLogViewer implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly controller: SwarmController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = controller.onDidChangeInstances(({ kind, instance }) => {
      if (kind === 'removed') this.close(instance.id);
    });
  }

  async show(instance: Instance): Promise<void> {
    const text = await runOperation(this.log, {
      title: `Reading the logs of "${instance.name}"`,
      failure: `Could not read the logs of "${instance.name}"`,
      run: () => this.controller.logs(instance.id, { tail: TAIL_LINES }),
      retry: () => this.show(instance),
    });
    if (text === undefined) return;
    const channel = this.channelFor(instance);
    channel.replace(text.length > 0 ? text : `(no log output from "${instance.name}" yet)\n`);
    channel.show(true);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const id of [...this.channels.keys()]) this.close(id);
  }

  private channelFor(instance: Instance): vscode.OutputChannel {
    let channel = this.channels.get(instance.id);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`Remote Swarm: ${instance.name}`, 'log');
      this.channels.set(instance.id, channel);
    }
    return channel;
  }

  private close(id: string): void {
    this.channels.get(id)?.dispose();
    this.channels.delete(id);
  }
}
