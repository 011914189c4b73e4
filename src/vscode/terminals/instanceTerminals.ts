import * as vscode from 'vscode';
import type { SwarmController } from '../../core/controller';
import type { Instance } from '../../core/models';
import { ShellTerminal } from './shellTerminal';
import { terminalName } from './terminalNames';

interface OpenTerminal {
  instanceId: string;
  name: string;
  release: () => void;
}

/**
 * Integrated terminals attached to instances (a Pseudoterminal over the provider's interactive shell: docker exec for
 * Docker, ssh2 for SSH hosts). Any number per instance, each named after it; they close when their instance is deleted.
 */
export class InstanceTerminals implements vscode.Disposable {
  private readonly open = new Map<vscode.Terminal, OpenTerminal>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly controller: SwarmController) {
    this.subscriptions = [
      vscode.window.onDidCloseTerminal((terminal) => this.forget(terminal)),
      controller.onDidChangeInstances(({ kind, instance }) => {
        if (kind === 'removed') for (const [terminal, { instanceId }] of this.open) if (instanceId === instance.id) terminal.dispose();
      }),
    ];
  }

  /** With `parentTerminal`, the terminal opens split beside it, in its group of the terminal panel. */
  openTerminal(instance: Instance, parentTerminal?: vscode.Terminal): vscode.Terminal {
    const writes = new vscode.EventEmitter<string>();
    const closes = new vscode.EventEmitter<number | void>();
    const shell = new ShellTerminal(instance.name, (size) => this.controller.openShell(instance.id, size), {
      write: (text) => writes.fire(text),
      close: (exitCode) => closes.fire(exitCode),
    });
    const pty: vscode.Pseudoterminal = {
      onDidWrite: writes.event,
      onDidClose: closes.event,
      open: (dimensions) => void shell.open(dimensions && { cols: dimensions.columns, rows: dimensions.rows }),
      close: () => shell.close(),
      handleInput: (data) => shell.input(data),
      setDimensions: (dimensions) => shell.resize({ cols: dimensions.columns, rows: dimensions.rows }),
    };
    const namesInUse = new Set([...this.open.values()].map(({ name }) => name));
    const name = terminalName(instance.name, namesInUse);
    const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('vm'), ...(parentTerminal ? { location: { parentTerminal } } : {}) });
    this.open.set(terminal, {
      instanceId: instance.id,
      name,
      release: () => {
        shell.close();
        writes.dispose();
        closes.dispose();
      },
    });
    terminal.show();
    return terminal;
  }

  /** The terminals open on an instance that moved (a migration) are closed and as many opened on where it went. */
  moveTerminals(fromId: string, to: Instance): void {
    const moving = [...this.open].filter(([, { instanceId }]) => instanceId === fromId).map(([terminal]) => terminal);
    for (const terminal of moving) terminal.dispose();
    for (let i = 0; i < moving.length; i++) this.openTerminal(to);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const [terminal, { release }] of this.open) {
      release();
      terminal.dispose();
    }
    this.open.clear();
  }

  private forget(terminal: vscode.Terminal): void {
    this.open.get(terminal)?.release();
    this.open.delete(terminal);
  }
}
