import type { TerminalDisplay } from '../../src/vscode/terminals/shellTerminal';

/** A TerminalDisplay that keeps what the terminal showed, for tests to wait on. */
export class TerminalRecorder implements TerminalDisplay {
  text = '';
  closedWith: number | undefined | 'open' = 'open';
  private waiters: (() => void)[] = [];

  write(text: string): void {
    this.text += text;
    this.notify();
  }

  close(exitCode?: number): void {
    this.closedWith = exitCode;
    this.notify();
  }

  /** Resolves once the text shown since `from` (an offset into `text`) matches, or fails after the deadline. */
  async waitFor(pattern: RegExp, from = 0, deadlineMs = 10_000): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const shown = this.text.slice(from);
      if (pattern.test(shown)) return shown;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the terminal did not show ${pattern} within ${deadlineMs} ms; it showed ${JSON.stringify(shown)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
