import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

export interface WebviewPage {
  title: string;
  /** Bundled scripts, e.g. dist/webviews/health.js. */
  script: vscode.Uri;
  /** Stylesheets, e.g. media/shared/panel.css. */
  styles: readonly vscode.Uri[];
}

/**
 * The page of a panel: a strict Content-Security-Policy (nothing remote; only this page's nonce-marked script and the
 * extension's own stylesheets), and one element the script renders into.
 */
export function webviewHtml(webview: vscode.Webview, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const styles = page.styles.map((uri) => `<link rel="stylesheet" href="${webview.asWebviewUri(uri).toString()}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(page.title)}</title>
  </head>
  <body>
    <main id="app" aria-live="polite"></main>
    <script nonce="${nonce}" src="${webview.asWebviewUri(page.script).toString()}"></script>
  </body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
