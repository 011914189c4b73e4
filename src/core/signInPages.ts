import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from './clock';

/** A page is fetched by the browser Remote Swarm just opened, within moments; an unused one goes soon after. */
export const SIGN_IN_PAGE_TTL_MS = 60_000;

interface PendingPage {
  html: string;
  /** Of the page's one script. */
  nonce: string;
  /** Where its form may post: the instance's origin. */
  loginOrigin: string;
  expiresAt: number;
}

/**
 * One-time sign-in pages for code-server, served on loopback. code-server signs a browser in when its login form is
 * posted (POST <root>/login with `password`, `base` and `href`; the answer sets the session cookie and redirects to the
 * workbench); it takes no password in the URL. So Remote Swarm opens, instead of the IDE URL, a page of its own at a
 * random 256-bit path that posts that form at once: the password travels in the page and the POST body, never in a
 * URL, the history or a referrer. Each page answers once and only within SIGN_IN_PAGE_TTL_MS, with `no-store`;
 * anyone else on the machine still needs the password, or a path they cannot guess that is gone once used.
 */
export class SignInPages {
  private readonly pages = new Map<string, PendingPage>();
  private server: Promise<http.Server> | undefined;

  constructor(private readonly clock: Clock) {}

  /**
   * A page that signs in to the code-server whose login form is at `loginUrl` (as the browser reaches it). Returns its
   * path (to append to the loopback base, as the browser reaches that) and the loopback port it is served on.
   */
  async publish(loginUrl: string, password: string): Promise<{ port: number; path: string }> {
    const server = await this.listening();
    const token = randomBytes(32).toString('base64url');
    const nonce = randomBytes(16).toString('base64');
    this.pages.set(token, { html: autoPostPage(loginUrl, password, nonce), nonce, loginOrigin: new URL(loginUrl).origin, expiresAt: this.clock.now() + SIGN_IN_PAGE_TTL_MS });
    return { port: (server.address() as AddressInfo).port, path: token };
  }

  dispose(): void {
    this.pages.clear();
    void this.server?.then((server) => {
      server.closeAllConnections();
      server.close();
    });
    this.server = undefined;
  }

  private listening(): Promise<http.Server> {
    this.server ??= new Promise((resolve, reject) => {
      const server = http.createServer((request, response) => this.answer(request, response));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
      server.unref();
    });
    return this.server;
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const token = (request.url ?? '').replace(/^\/+/, '').split(/[?#]/)[0] ?? '';
    const page = this.pages.get(token);
    this.forgetExpired();
    if (request.method !== 'GET' || !page || page.expiresAt <= this.clock.now()) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end('This sign-in link has been used or has expired. Open the instance again from Remote Swarm.\n');
      return;
    }
    this.pages.delete(token);
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${page.nonce}'; form-action ${page.loginOrigin}`,
    });
    response.end(page.html);
  }

  private forgetExpired(): void {
    const now = this.clock.now();
    for (const [token, page] of this.pages) if (page.expiresAt <= now) this.pages.delete(token);
  }
}

/** code-server's own login form, filled in and posted as soon as the page loads (or with a button, without scripts). */
function autoPostPage(loginUrl: string, password: string, nonce: string): string {
  const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return [
    '<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Signing in…</title></head><body>',
    `<form id="sign-in" method="post" action="${escapeHtml(loginUrl)}" autocomplete="off">`,
    // code-server sets its cookie for the path of new URL(base, href): the instance's root, also behind a path proxy.
    field('password', password),
    field('base', '.'),
    field('href', loginUrl),
    '<p>Signing in to code-server…</p><noscript><button type="submit">Sign in</button></noscript></form>',
    `<script nonce="${nonce}">document.getElementById('sign-in').submit();</script>`,
    '</body></html>',
  ].join('');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
