import * as vscode from 'vscode';
import type { Clock } from '../../core/clock';
import type { SwarmController } from '../../core/controller';
import type { InstanceStartup } from '../../core/health/instanceStartup';
import type { Instance, InstanceStatus } from '../../core/models';
import { SignInPages } from '../../core/signInPages';
import { externalIdeUri } from '../browserAccess';

/** Statuses an instance passes through on its way to running: Open waits through them. */
const ON_ITS_WAY: ReadonlySet<InstanceStatus> = new Set(['creating', 'starting', 'restarting', 'updating']);

/**
 * Opens an instance's code-server, in the browser or a VS Code tab (the built-in Simple Browser), signed in: once the
 * instance serves (waiting under a cancellable notification while it starts), through a one-time page that posts the
 * stored password to code-server's login form (SignInPages). Without a stored password, the IDE URL itself.
 */
export class IdeOpener implements vscode.Disposable {
  private readonly pages: SignInPages;

  constructor(
    private readonly controller: SwarmController,
    private readonly startup: InstanceStartup,
    clock: Clock,
  ) {
    this.pages = new SignInPages(clock);
  }

  async openInBrowser(instance: Instance): Promise<void> {
    const uri = await this.signedInUri(instance);
    if (uri) await vscode.env.openExternal(uri);
  }

  async openInTab(instance: Instance): Promise<void> {
    const uri = await this.signedInUri(instance);
    if (uri) await vscode.commands.executeCommand('simpleBrowser.show', uri.toString(true));
  }

  dispose(): void {
    this.pages.dispose();
  }

  /** Where the browser should go, as it reaches it (asExternalUri: a forwarded port when VS Code runs remotely); undefined when the user stopped waiting. */
  private async signedInUri(instance: Instance): Promise<vscode.Uri | undefined> {
    const serving = await this.whenServing(instance);
    if (!serving) return undefined;
    const ide = await externalIdeUri(serving);
    const password = serving.config.auth.type === 'password' ? await this.controller.getPassword(serving.id) : undefined;
    if (password === undefined) return ide;
    const { port, path } = await this.pages.publish(new URL('login', ide.toString(true)).toString(), password);
    // Only the port survives asExternalUri everywhere (code-server maps a loopback URL to its /proxy/<port>/), so the path goes on after.
    const pageBase = await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${port}/`));
    return vscode.Uri.parse(new URL(path, pageBase.toString(true)).toString());
  }

  /** The instance once it serves; at once unless it is starting. */
  private async whenServing(instance: Instance): Promise<Instance | undefined> {
    if (!this.startup.isStarting(instance.id) && !ON_ITS_WAY.has(this.controller.get(instance.id).status)) return instance;
    const waited = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Waiting for "${instance.name}" to start`, cancellable: true },
      async (_progress, token) => {
        const stop = new AbortController();
        const cancellation = token.onCancellationRequested(() => stop.abort());
        try {
          await this.startup.untilReady(instance.id, stop.signal);
          return true;
        } catch (error) {
          if (stop.signal.aborted) return false;
          throw error;
        } finally {
          cancellation.dispose();
        }
      },
    );
    return waited ? this.controller.get(instance.id) : undefined;
  }
}
