import { SwarmError } from '../../core/errors';
import type { ExecResult } from '../../core/provider';
import type { SshCommandOptions } from './sshCommand';

/** Runs an argv array on the host. */
export type RunOnHost = (argv: readonly string[], options?: SshCommandOptions) => Promise<ExecResult>;

/** What one round trip learns about a host. */
export interface HostProbe {
  home: string;
  codeServerInstalled: boolean;
  codeServerRunning: boolean;
}

/**
 * The scripts below are fixed text; what varies reaches them only as positional parameters ($1, $2), never spliced
 * into the script. $1 is always the instance's state folder relative to $HOME, where its code-server keeps its
 * config (password), pid file, log and Unix socket (mode 0600: only the user can reach it). ~/.local/bin is searched
 * too, where code-server's standalone install puts it.
 */
const PRELUDE = 'd="$HOME/$1"; PATH="$HOME/.local/bin:$PATH"; alive() { [ -f "$d/code-server.pid" ] && kill -0 "$(cat "$d/code-server.pid")" 2>/dev/null; }';

const PROBE = `${PRELUDE}
printf 'home=%s\\n' "$HOME"
command -v code-server >/dev/null 2>&1 && echo installed
alive && [ -S "$d/code-server.sock" ] && echo running
exit 0`;

const CONFIGURE = `${PRELUDE}
umask 077 && mkdir -p "$d" && cat > "$d/config.yaml"`;

/** Starts code-server on the socket unless it runs, then polls (30 s deadline) until it listens. $2: the folder to open. */
const START = `${PRELUDE}
if alive && [ -S "$d/code-server.sock" ]; then exit 0; fi
[ -f "$d/config.yaml" ] || { echo "no code-server configuration in $d: remove the host from Remote Swarm and add it again" >&2; exit 2; }
rm -f "$d/code-server.sock"
mkdir -p "$2" 2>/dev/null
nohup code-server --config "$d/config.yaml" --socket "$d/code-server.sock" --socket-mode 600 --disable-telemetry --disable-update-check "$2" >> "$d/code-server.log" 2>&1 < /dev/null &
echo $! > "$d/code-server.pid"
i=0
while [ ! -S "$d/code-server.sock" ]; do
  if ! alive || [ $i -ge 150 ]; then echo "code-server did not start; the end of $d/code-server.log:" >&2; tail -n 20 "$d/code-server.log" >&2; exit 1; fi
  sleep 0.2; i=$((i+1))
done`;

/** Stops code-server (SIGTERM, SIGKILL after a 10 s deadline). */
const STOP = `${PRELUDE}
if alive; then
  pid=$(cat "$d/code-server.pid"); kill "$pid"; i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
fi
rm -f "$d/code-server.pid" "$d/code-server.sock"
exit 0`;

/** $2: how many lines from the end. */
const LOGS = `${PRELUDE}
[ -f "$d/code-server.log" ] && tail -n "$2" "$d/code-server.log"; exit 0`;

const FOLLOW_LOGS = `${PRELUDE}
[ -d "$d" ] || { echo "Remote Swarm runs no code-server on this host: there is no log to follow" >&2; exit 2; }
exec tail -n "$2" -F "$d/code-server.log"`;

const READ_CONFIG = `${PRELUDE}
[ -f "$d/config.yaml" ] && cat "$d/config.yaml"; exit 0`;

const REMOVE_STATE = `${PRELUDE}
rm -rf "$d"`;

/** Everything Remote Swarm runs on an SSH host, for one instance: code-server's life and the instance's own state folder. */
export class CodeServerOnHost {
  readonly stateDir: string;

  constructor(
    private readonly run: RunOnHost,
    instanceId: string,
  ) {
    this.stateDir = `.local/state/remote-swarm/${instanceId}`;
  }

  async probe(): Promise<HostProbe> {
    const lines = (await this.script('Checking the host', PROBE)).split('\n');
    const home = lines.find((line) => line.startsWith('home='))?.slice('home='.length) ?? '';
    return { home, codeServerInstalled: lines.includes('installed'), codeServerRunning: lines.includes('running') };
  }

  /** Writes the password into the state folder (mode 0600), where only code-server reads it. */
  async configure(password: string): Promise<void> {
    await this.script('Configuring code-server', CONFIGURE, [], `auth: password\npassword: ${JSON.stringify(password)}\n`);
  }

  /** The password of the code-server Remote Swarm configured here, undefined where it configured none. */
  async password(): Promise<string | undefined> {
    const line = (await this.script('Reading the code-server configuration', READ_CONFIG)).split('\n').find((candidate) => candidate.startsWith('password: '));
    try {
      const value: unknown = line === undefined ? undefined : JSON.parse(line.slice('password: '.length));
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async start(workspacePath: string): Promise<void> {
    await this.script('Starting code-server', START, [workspacePath]);
  }

  async stop(): Promise<void> {
    await this.script('Stopping code-server', STOP);
  }

  async logs(tail: number): Promise<string> {
    return this.script('Reading the code-server log', LOGS, [String(tail)]);
  }

  /** The argv that prints the end of the log, then what is written to it, until it is killed. */
  followLogsArgv(tail: number): string[] {
    return ['sh', '-c', FOLLOW_LOGS, 'remote-swarm', this.stateDir, String(tail)];
  }

  async removeState(): Promise<void> {
    await this.script('Removing the instance state', REMOVE_STATE);
  }

  /** The absolute path of code-server's socket, given the host's $HOME. */
  socketPath(home: string): string {
    return `${home}/${this.stateDir}/code-server.sock`;
  }

  private async script(action: string, script: string, parameters: readonly string[] = [], input?: string): Promise<string> {
    const result = await this.run(['sh', '-c', script, 'remote-swarm', this.stateDir, ...parameters], { input });
    if (result.exitCode !== 0) {
      throw new SwarmError('OPERATION_FAILED', `${action} failed (exit code ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
    }
    return result.stdout;
  }
}
