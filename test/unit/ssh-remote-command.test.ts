import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { remoteCommand } from '../../src/providers/ssh/remoteCommand';

/** What a remote login shell does with the string SSH carries: it parses it. Here real shells do. */
const SHELLS = ['/bin/sh', '/bin/bash', '/bin/busybox'].filter((shell) => existsSync(shell));

function runIn(shell: string, command: string): string {
  const argv = shell.endsWith('busybox') ? ['sh', '-c', command] : ['-c', command];
  return execFileSync(shell, argv, { encoding: 'utf8' });
}

describe('remoteCommand: an argv array as the one string SSH carries', () => {
  const hostile = ["it's", '"double"', '$HOME', '`id`', '$(id)', 'a;b', 'a && b', '*', '\\n', 'new\nline', '', ' spaced ', '-n', "'", '!x'];

  for (const shell of SHELLS) {
    it(`reaches the program argument for argument, uninterpreted, through ${shell}`, () => {
      const output = runIn(shell, remoteCommand(['printf', '[%s]', ...hostile]));
      assert.equal(output, hostile.map((argument) => `[${argument}]`).join(''));
    });
  }

  it('sets env and the working folder without letting either be interpreted', () => {
    const command = remoteCommand(['sh', '-c', 'printf "%s|%s" "$GREETING" "$(pwd)"'], { env: { GREETING: 'hi $USER; `id`' }, workdir: '/tmp' });
    assert.equal(runIn('/bin/sh', command), 'hi $USER; `id`|/tmp');
  });
});
