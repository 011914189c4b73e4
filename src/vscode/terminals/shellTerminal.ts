import { StringDecoder } from 'node:string_decoder';
import { errorMessage } from '../../core/errors';
import type { ShellEnd, ShellSession, TerminalSize } from '../../core/provider';

/** Where the terminal's text goes and how it closes: a vscode.Pseudoterminal's emitters, or a test's recorder. */
export interface TerminalDisplay {
  write(text: string): void;
  close(exitCode?: number): void;
}

export type OpenShell = (size: TerminalSize) => Promise<ShellSession>;

type State =
  | { kind: 'connecting'; typedAhead: string[] }
  | { kind: 'attached'; session: ShellSession }
  /** The shell is over; the next key closes the terminal, or with `canReconnect` "r" opens a new shell. */
  | { kind: 'over'; exitCode?: number; canReconnect: boolean }
  | { kind: 'closed' };

const DEFAULT_SIZE: TerminalSize = { cols: 80, rows: 24 };
const RECONNECT_KEYS = new Set(['r', 'R']);
const dim = (text: string) => `\x1b[2m${text}\x1b[0m`;
/** Ends a message with exactly one full stop. */
const sentence = (text: string) => `${text.trim().replace(/\.+$/, '')}.`;

/**
 * One integrated terminal attached to an instance's shell, independent of VS Code so tests drive it for real: it
 * connects, passes keys and output through, follows resizes, shows how the shell ended (its exit code), and after a
 * lost connection or a failed start offers to reconnect.
 */
export class ShellTerminal {
  private state: State = { kind: 'closed' };
  private size: TerminalSize = DEFAULT_SIZE;

  constructor(
    private readonly instanceName: string,
    private readonly openShell: OpenShell,
    private readonly display: TerminalDisplay,
  ) {}

  /** The terminal opened: connect. */
  open(size: TerminalSize | undefined): Promise<void> {
    this.size = size ?? DEFAULT_SIZE;
    return this.connect();
  }

  /** Keys the user typed. */
  input(data: string): void {
    const { state } = this;
    if (state.kind === 'attached') state.session.stream.write(data);
    else if (state.kind === 'connecting') state.typedAhead.push(data);
    else if (state.kind === 'over') {
      if (state.canReconnect && RECONNECT_KEYS.has(data)) void this.connect();
      else this.finish(state.exitCode);
    }
  }

  /** The terminal's size changed; a failed resize only leaves the shell at its old size. */
  resize(size: TerminalSize): void {
    this.size = size;
    if (this.state.kind === 'attached') this.state.session.resize(size).catch(() => undefined);
  }

  /** The user closed the terminal: end the shell. */
  close(): void {
    const { state } = this;
    this.state = { kind: 'closed' };
    if (state.kind === 'attached') state.session.close();
  }

  private async connect(): Promise<void> {
    const connecting: State = { kind: 'connecting', typedAhead: [] };
    this.state = connecting;
    this.display.write(dim(`Connecting to "${this.instanceName}"…`) + '\r\n');
    let session: ShellSession;
    try {
      session = await this.openShell(this.size);
    } catch (error) {
      if (this.state === connecting) this.over(`Could not open a shell in "${this.instanceName}": ${sentence(errorMessage(error))}`, { canReconnect: true });
      return;
    }
    if (this.state !== connecting) {
      session.close();
      return;
    }
    this.state = { kind: 'attached', session };
    const decoder = new StringDecoder('utf8');
    session.stream.on('data', (chunk: Buffer | string) => this.display.write(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
    session.stream.on('error', () => undefined); // how the session ended is reported through `ended`
    void session.ended.then((end) => {
      if (this.state.kind === 'attached' && this.state.session === session) this.ended(end);
    });
    for (const data of connecting.typedAhead) session.stream.write(data);
    // The terminal may have changed size while connecting.
    session.resize(this.size).catch(() => undefined);
  }

  private ended(end: ShellEnd): void {
    switch (end.kind) {
      case 'exited':
        return this.over(`The shell exited with code ${end.exitCode}.`, { exitCode: end.exitCode, canReconnect: false });
      case 'killed':
        return this.over(`The shell was killed by signal ${end.signal}.`, { canReconnect: false });
      case 'lost':
        return this.over(`The connection to "${this.instanceName}" was lost: ${sentence(end.reason)}`, { canReconnect: true });
    }
  }

  private over(message: string, { exitCode, canReconnect }: { exitCode?: number; canReconnect: boolean }): void {
    const choice = canReconnect ? 'Press R to reconnect, any other key to close the terminal.' : 'Press any key to close the terminal.';
    this.display.write(`\r\n${dim(`[${message} ${choice}]`)}\r\n`);
    this.state = { kind: 'over', exitCode, canReconnect };
  }

  private finish(exitCode: number | undefined): void {
    this.state = { kind: 'closed' };
    this.display.close(exitCode);
  }
}
