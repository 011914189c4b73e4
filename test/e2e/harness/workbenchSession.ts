import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { writeUserSettings, writeWorkspaceSettings } from '../../vscode/suiteSettings';
import { launchChromium } from './chromium';
import { CodeServer, installExtensions, type CodeServerDirs } from './codeServer';
import { freeLoopbackPort } from './freePort';
import { ARTIFACTS_DIR } from './paths';
import { ensureCodeServer } from './setupScripts';
import { Workbench } from './workbench';

/** Playwright's wait for any one element or event: generous, since 2 cores run Docker, code-server and Chromium at once. */
const ACTION_TIMEOUT_MS = 45_000;

export interface WorkbenchSessionOptions {
  /** .vsix files installed into the session's fresh extensions dir. */
  extensions: readonly string[];
  /** The user settings.json code-server starts with. */
  settings: Record<string, unknown>;
  /** The .vscode/settings.json of the folder it opens, if any. */
  workspaceSettings?: Record<string, unknown>;
  /** Added to code-server's environment (its extension host inherits it). */
  env?: Record<string, string>;
  /** Browser permissions for the workbench's origin, e.g. clipboard-read. */
  permissions?: string[];
}

/**
 * One code-server (own user data, extensions and workspace in a temporary folder, a free loopback port) and one
 * Chromium page showing its workbench. close() ends both and removes the folder; saveArtifacts() keeps what explains a failure.
 */
export class WorkbenchSession {
  private codeServer: CodeServer | undefined;
  private browser: Browser | undefined;
  private currentPage: Page | undefined;
  private permissions: string[] = [];

  private constructor(private readonly root: string) {}

  /** REMOTE_SWARM_STATE_DIR of the session's extension hosts: where its windows elect their leader. */
  get stateDir(): string {
    return path.join(this.root, 'state');
  }

  static async open(options: WorkbenchSessionOptions): Promise<WorkbenchSession> {
    const session = new WorkbenchSession(mkdtempSync(path.join(tmpdir(), 'remote-swarm-workbench-')));
    try {
      await session.start(options);
      return session;
    } catch (error) {
      await session.saveArtifacts('workbench session start');
      await session.close();
      throw error;
    }
  }

  get page(): Page {
    if (!this.currentPage) throw new Error('The workbench session has no page: it did not start');
    return this.currentPage;
  }

  get workbench(): Workbench {
    return new Workbench(this.page);
  }

  get url(): string {
    if (!this.codeServer) throw new Error('The workbench session has no code-server: it did not start');
    return this.codeServer.url;
  }

  /**
   * Another window of the same workbench, as a user opens one: a browser window of its own on the same address
   * (code-server gives it its own extension host). Its own window, not a tab: Chromium leaves a background tab's
   * webviews unpainted, and a user looks at each window in turn.
   */
  async openWindow(): Promise<Workbench> {
    if (!this.browser) throw new Error('The workbench session has no browser: it did not start');
    const context = await this.newWindowContext(this.browser);
    const workbench = new Workbench(await context.newPage());
    await workbench.load(this.url);
    return workbench;
  }

  /** Saves screenshots, the pages' addresses, code-server's output and its logs (extension host, Remote Swarm output channel) under .test-artifacts/e2e. */
  async saveArtifacts(testTitle: string): Promise<void> {
    const dir = path.join(ARTIFACTS_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-${testTitle.replace(/[^\w-]+/g, '-').slice(0, 80)}`);
    mkdirSync(dir, { recursive: true });
    // The workbench first, then any page it opened (e.g. an instance's IDE), then other windows.
    const pages = this.browser?.contexts().flatMap((context) => context.pages()) ?? [];
    for (const [index, page] of pages.entries()) {
      await page.screenshot({ path: path.join(dir, index === 0 ? 'screenshot.png' : `screenshot-${index + 1}.png`) }).catch(() => undefined);
    }
    writeFileSync(path.join(dir, 'pages.txt'), pages.map((page) => page.url()).join('\n'));
    if (this.codeServer) {
      writeFileSync(path.join(dir, 'code-server.log'), this.codeServer.log);
      if (existsSync(this.codeServer.logsDir)) cpSync(this.codeServer.logsDir, path.join(dir, 'logs'), { recursive: true });
    }
    console.log(`      workbench artifacts of the failure: ${dir}`);
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.codeServer?.stop();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** A browser context (a window of its own) with the session's viewport, permissions and action timeout. */
  private async newWindowContext(browser: Browser): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(this.permissions, { origin: new URL(this.url).origin });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    return context;
  }

  private async start({ extensions, settings, workspaceSettings, env, permissions = [] }: WorkbenchSessionOptions): Promise<void> {
    const dirs: CodeServerDirs = {
      userDataDir: path.join(this.root, 'user-data'),
      extensionsDir: path.join(this.root, 'extensions'),
      configDir: path.join(this.root, 'config'),
    };
    const workspace = path.join(this.root, 'workspace');
    mkdirSync(workspace, { recursive: true });
    writeUserSettings(dirs.userDataDir, settings);
    if (workspaceSettings) writeWorkspaceSettings(workspace, workspaceSettings);
    const launcher = await ensureCodeServer();
    await installExtensions(launcher, dirs, extensions);
    // Its own state folder: the session's windows elect their leader there, apart from every other session and the user's.
    const stateEnv = { REMOTE_SWARM_STATE_DIR: this.stateDir, ...env };
    this.codeServer = await CodeServer.start({ ...dirs, launcher, workspace, port: await freeLoopbackPort(), env: stateEnv });
    this.browser = await launchChromium();
    this.permissions = permissions;
    this.currentPage = await (await this.newWindowContext(this.browser)).newPage();
    await this.workbench.load(this.codeServer.url);
  }
}
