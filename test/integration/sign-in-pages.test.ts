import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../src/core/clock';
import { generatePassword } from '../../src/core/passwords';
import { SIGN_IN_PAGE_TTL_MS, SignInPages } from '../../src/core/signInPages';
import { CodeServer } from '../e2e/harness/codeServer';
import { freeLoopbackPort } from '../e2e/harness/freePort';
import { ensureCodeServer } from '../e2e/harness/setupScripts';
import { FakeClock } from '../support/fakeClock';
import { makeTempDir } from '../support/tempDir';

/** The hidden fields of the page's form, and where it posts. */
function formOf(html: string): { action: string; fields: Record<string, string> } {
  const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const action = unescape(/<form[^>]* action="([^"]*)"/.exec(html)?.[1] ?? '');
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name!, unescape(value!)]));
  return { action, fields };
}

describe('One-time sign-in pages for code-server (a real code-server with a password)', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let codeServer: CodeServer;
  let pages: SignInPages;
  const password = generatePassword();

  before(async () => {
    const launcher = await ensureCodeServer();
    temp = makeTempDir('remote-swarm-sign-in-');
    const dirs = { userDataDir: path.join(temp.path, 'data'), extensionsDir: path.join(temp.path, 'extensions'), configDir: path.join(temp.path, 'config') };
    const workspace = path.join(temp.path, 'project');
    for (const dir of [...Object.values(dirs), workspace]) mkdirSync(dir, { recursive: true });
    codeServer = await CodeServer.start({ ...dirs, launcher, workspace, port: await freeLoopbackPort(), password });
  });

  after(async () => {
    await codeServer?.stop();
    temp?.remove();
  });

  beforeEach(() => {
    pages = new SignInPages(systemClock);
  });

  afterEach(() => pages.dispose());

  it('signs a browser in: the page posts code-server\'s login form, which sets the session cookie, and the workbench answers', async () => {
    const before = await fetch(codeServer.url, { redirect: 'manual' });
    assert.match(before.headers.get('location') ?? '', /login/, 'without signing in, code-server sends the browser to its login page');

    const loginUrl = new URL('login', codeServer.url).toString();
    const { port, path: pagePath } = await pages.publish(loginUrl, password);
    const pageUrl = `http://127.0.0.1:${port}/${pagePath}`;
    assert.ok(!pageUrl.includes(password), 'the password is in no URL');
    assert.match(pagePath, /^[\w-]{43}$/, 'a path of 256 random bits');

    const page = await fetch(pageUrl);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`form-action ${new URL(codeServer.url).origin}`));
    const form = formOf(await page.text());
    assert.equal(form.action, loginUrl);
    assert.deepEqual(form.fields, { password, base: '.', href: loginUrl });

    // What the page's script does in a browser: post the form.
    const login = await fetch(form.action, { method: 'POST', body: new URLSearchParams(form.fields), redirect: 'manual' });
    assert.equal(login.status, 302);
    const cookie = login.headers.getSetCookie().find((header) => header.startsWith('code-server-session='));
    assert.ok(cookie, `code-server set no session cookie: ${login.headers.getSetCookie().join('; ')}`);
    assert.match(cookie, /Path=\/(;|$)/, 'for the instance\'s root');
    const session = { cookie: cookie.split(';')[0]! };
    const root = await fetch(codeServer.url, { headers: session, redirect: 'manual' });
    const folder = new URL(root.headers.get('location') ?? '', codeServer.url);
    assert.match(folder.search, /^\?folder=/, 'signed in: on to the workspace folder, not to the login page');
    const workbench = await fetch(folder, { headers: session, redirect: 'manual' });
    assert.equal(workbench.status, 200);
    assert.match(await workbench.text(), /workbench/);

    assert.equal((await fetch(pageUrl)).status, 404, 'the page answers once');
  });

  it('answers nothing else: another path, another method, or a page past its time', async () => {
    const clock = new FakeClock();
    const timed = new SignInPages(clock);
    try {
      const { port, path: pagePath } = await timed.publish(new URL('login', codeServer.url).toString(), password);
      const base = `http://127.0.0.1:${port}/`;
      const unknown = await fetch(`${base}${'A'.repeat(43)}`);
      assert.equal(unknown.status, 404);
      assert.ok(!(await unknown.text()).includes(password));
      assert.equal((await fetch(`${base}${pagePath}`, { method: 'POST' })).status, 404);
      clock.advance(SIGN_IN_PAGE_TTL_MS);
      assert.equal((await fetch(`${base}${pagePath}`)).status, 404, 'expired');
    } finally {
      timed.dispose();
    }
  });
});
