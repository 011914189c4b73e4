import * as vscode from 'vscode';
import type { Event } from '../../core/events';
import { parseWebviewMessage, type SnapshotMessage, type WebviewMessage } from './panelProtocol';
import { webviewHtml } from './webviewHtml';

const POST_DELAY_MS = 100;

export interface LivePanelDefinition<T> {
  viewType: string;
  title: string;
  /** The bundled script under dist/webviews, e.g. "health.js". */
  script: string;
  /** Stylesheets under media, e.g. "health/health.css"; media/shared/panel.css comes first. */
  styles: readonly string[];
  snapshot: () => T;
  /** When the snapshot may have changed. */
  changes: readonly Event<unknown>[];
  onInstanceCommand?: (message: Extract<WebviewMessage, { type: 'instanceCommand' }>) => void;
  /** Where a message the page does not send is noted before it is ignored. */
  log: vscode.LogOutputChannel;
}

const LOGGED_MESSAGE_LENGTH = 200;

/**
 * One webview panel that renders a snapshot and follows its changes while visible. It is restored after a restart of
 * VS Code through a serializer; the webview keeps its own view state (getState/setState), so a reload looks the same.
 */
export class LivePanel<T> implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  private pendingPost: NodeJS.Timeout | undefined;
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly definition: LivePanelDefinition<T>,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(definition.viewType, {
      deserializeWebviewPanel: async (panel) => this.attach(panel),
    });
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.attach(vscode.window.createWebviewPanel(this.definition.viewType, this.definition.title, vscode.ViewColumn.Active, this.webviewOptions()));
  }

  dispose(): void {
    clearTimeout(this.pendingPost);
    this.serializer.dispose();
    this.panel?.dispose();
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = this.webviewOptions();
    panel.webview.html = webviewHtml(panel.webview, {
      title: this.definition.title,
      script: vscode.Uri.joinPath(this.extensionUri, 'dist', 'webviews', this.definition.script),
      styles: ['shared/panel.css', ...this.definition.styles].map((path) => vscode.Uri.joinPath(this.extensionUri, 'media', path)),
    });
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidChangeViewState(() => this.post()),
      ...this.definition.changes.map((event) => event(() => this.postSoon())),
      panel.onDidDispose(() => {
        for (const subscription of this.panelSubscriptions) subscription.dispose();
        this.panelSubscriptions = [];
        this.panel = undefined;
      }),
    ];
  }

  private receive(received: unknown): void {
    const message = parseWebviewMessage(received);
    if (message === undefined) {
      this.definition.log.warn(`${this.definition.title}: ignored a message its page does not send: ${preview(received)}`);
      return;
    }
    if (message.type === 'ready') this.post();
    else if (message.type === 'instanceCommand') this.definition.onInstanceCommand?.(message);
  }

  /** Changes come in bursts (a refresh updates every instance): one snapshot for a burst. */
  private postSoon(): void {
    this.pendingPost ??= setTimeout(() => {
      this.pendingPost = undefined;
      this.post();
    }, POST_DELAY_MS);
  }

  /** Hidden webviews get nothing: they render from their saved state and ask again ("ready") when shown. */
  private post(): void {
    if (!this.panel?.visible) return;
    const message: SnapshotMessage<T> = { type: 'snapshot', snapshot: this.definition.snapshot() };
    void this.panel.webview.postMessage(message);
  }

  private webviewOptions(): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist', 'webviews')],
    };
  }
}

function preview(message: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(message) ?? String(message);
  } catch {
    text = String(message);
  }
  return text.length > LOGGED_MESSAGE_LENGTH ? `${text.slice(0, LOGGED_MESSAGE_LENGTH)}…` : text;
}
