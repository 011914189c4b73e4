import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { pollUntil } from './poll';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Where one code-server keeps its state; all of it is private to that server. */
export interface CodeServerDirs {
  userDataDir: string;
  extensionsDir: string;
  /** Holds code-server's config file, so it writes nothing under $HOME. */
  configDir: string;
}

export interface CodeServerOptions extends CodeServerDirs {
  /** The launcher test/setup/install-code-server.sh printed. */
  launcher: string;
  port: number;
  /** The folder the workbench opens. */
  workspace: string;
  /** Added to code-server's environment, which its extension host inherits. */
  env?: Record<string, string>;
  /** Sign-in with this password (code-server's PASSWORD) instead of none. */
  password?: string;
}

/** Whether a code-server at `baseUrl` answers its health endpoint (it does once it serves the workbench). */
export async function servesHealthz(baseUrl: string): Promise<boolean> {
  const response = await fetch(new URL('healthz', baseUrl)).catch(() => undefined);
  return response?.ok === true;
}

/** Installs .vsix files into the extensions dir, as `code-server --install-extension` does for a user. */
export async function installExtensions(launcher: string, dirs: CodeServerDirs, vsixFiles: readonly string[]): Promise<void> {
  await promisify(execFile)(launcher, [...stateArgs(dirs), ...vsixFiles.flatMap((vsix) => ['--install-extension', vsix]), '--force']);
}

/** A code-server on a loopback port without authentication (unless a password is given) or workspace trust prompts, in its own process group. */
export class CodeServer {
  private output = '';
  private readonly exited: Promise<void>;
  /** Should this process end without stop() (Ctrl+C in mocha), its own group would outlive it: kill that too. */
  private readonly killOnExit = () => this.signalGroup('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly logsDir: string,
  ) {
    const append = (chunk: Buffer) => (this.output += chunk.toString());
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (error) => {
        this.output += `${error.message}\n`;
        resolve();
      });
    });
    process.once('exit', this.killOnExit);
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const args = [
      ...stateArgs(options),
      '--bind-addr', `127.0.0.1:${options.port}`,
      '--auth', options.password === undefined ? 'none' : 'password',
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--disable-update-check',
      options.workspace,
    ];
    const child = spawn(options.launcher, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env, ...(options.password === undefined ? {} : { PASSWORD: options.password }) } });
    const server = new CodeServer(child, `http://127.0.0.1:${options.port}/`, path.join(options.userDataDir, 'logs'));
    try {
      await server.waitUntilServing();
      return server;
    } catch (error) {
      await server.stop();
      throw new Error(`${(error as Error).message}\ncode-server printed:\n${server.output}`);
    }
  }

  /** What code-server printed so far. */
  get log(): string {
    return this.output;
  }

  /** Ends code-server and everything it started (extension hosts, terminals): SIGTERM to its group, SIGKILL after a deadline. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      this.signalGroup('SIGKILL'); // whatever of its group is left
      return;
    }
    this.signalGroup('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS, false).unref())]);
    if (!stopped) {
      this.signalGroup('SIGKILL');
      await this.exited;
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // The group is already gone.
    }
  }

  private async waitUntilServing(): Promise<void> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    await pollUntil(
      async () => {
        if (exited) throw new Error(`code-server exited with ${this.child.exitCode ?? this.child.signalCode} before serving`);
        return (await servesHealthz(this.url)) ? true : undefined;
      },
      { what: `code-server to answer ${this.url}healthz`, timeoutMs: START_TIMEOUT_MS },
    );
  }
}

/** code-server writes its default config.yaml into configDir on first start; the command line overrides all of it. */
function stateArgs({ userDataDir, extensionsDir, configDir }: CodeServerDirs): string[] {
  return ['--config', path.join(configDir, 'config.yaml'), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
}
