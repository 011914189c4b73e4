import * as vscode from 'vscode';

const SCHEME = 'remote-swarm-run';

/**
 * The results of Run Command in Group as read-only Markdown documents, one per run: nothing to save when closed, and
 * the Markdown preview renders their table. A run's text is kept until its document is closed.
 */
export class GroupRunDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  /** Registered at the first run, not at activation. */
  private subscriptions: vscode.Disposable[] | undefined;
  private runs = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Opens `markdown` in an editor titled e.g. "swarm-1 run 3.md". */
  async show(group: string, markdown: string): Promise<void> {
    this.subscriptions ??= [
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => document.uri.scheme === SCHEME && this.texts.delete(document.uri.toString())),
    ];
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${group} run ${++this.runs}.md` });
    this.texts.set(uri.toString(), markdown);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
  }

  dispose(): void {
    for (const subscription of this.subscriptions ?? []) subscription.dispose();
    this.texts.clear();
  }
}
