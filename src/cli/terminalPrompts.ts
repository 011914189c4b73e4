import { createInterface } from 'node:readline/promises';
import type { SshPrompts } from '../ssh/sshToolkit';

/**
 * SSH questions on the terminal: a host key is trusted only on an explicit "yes" typed by a person; without a terminal
 * (scripts, MCP) an unknown host is refused and no passphrase is asked.
 */
export function terminalPrompts(interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY)): SshPrompts {
  return {
    async confirmHostKey({ name, host, port, keyType, fingerprint }) {
      if (!interactive) return false;
      const where = port === 22 ? host : `${host} port ${port}`;
      const answer = await ask(`Remote Swarm has not seen the SSH host "${name}" (${where}) before.\nIts ${keyType} key fingerprint is ${fingerprint}.\nTrust it? Type yes to trust: `);
      return answer.trim().toLowerCase() === 'yes';
    },
    async askPassphrase(keyFile) {
      if (!interactive) return undefined;
      const answer = await ask(`Passphrase of ${keyFile}: `, true);
      return answer === '' ? undefined : answer;
    },
  };
}

/** Asks on the terminal (stderr, so stdout stays the command's output); `hidden` echoes nothing typed. */
export async function ask(question: string, hidden = false): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    // Echo nothing the user types after the question itself.
    const write = (readline as unknown as { _writeToOutput: (text: string) => void })._writeToOutput;
    (readline as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text) => {
      if (text.startsWith(question)) write.call(readline, question);
    };
  }
  try {
    return await readline.question(question);
  } finally {
    if (hidden) process.stderr.write('\n');
    readline.close();
  }
}
