import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { useDockerSuite } from '../support/dockerTestEnv';
import { readUntil } from '../support/readUntil';
import { makeSshRig, type SshRig } from '../support/sshTestRig';
import { swarmError } from '../support/swarmAssertions';

function ended(log: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (log.destroyed || log.readableEnded) return resolve();
    log.once('close', resolve);
    log.once('end', resolve);
    log.resume();
  });
}

describe('following an instance\'s log as it is written', function () {
  this.timeout(60_000);

  describe('on Docker (the engine\'s log stream)', () => {
    const suite = useDockerSuite();

    it('gives what the container writes after following began, and ends when told to', async () => {
      const { id } = await suite.newInstance('follow');
      const stop = new AbortController();
      const log = await suite.provider.followInstanceLogs(id, { tail: 0, signal: stop.signal });
      await suite.provider.executeCommand(id, ['sh', '-c', 'echo written-later > /proc/1/fd/1; echo on-stderr > /proc/1/fd/2']);
      const seen = await readUntil(log, /written-later\n(.|\n)*on-stderr\n|on-stderr\n(.|\n)*written-later\n/);
      assert.doesNotMatch(seen, /[\x00-\x02]\x00\x00\x00/, 'no frame headers reach the reader');
      stop.abort();
      await ended(log);
    });
  });

  describe('on an SSH host (code-server\'s log, through tail -F)', () => {
    let rig: SshRig;
    beforeEach(async () => {
      rig = await makeSshRig();
    });
    afterEach(() => rig.dispose());

    it('refuses where Remote Swarm runs no code-server, saying why', async () => {
      const provider = rig.provider();
      await provider.createInstance({ id: 'follow1', config: rig.hostConfig('bare') });
      await assert.rejects(provider.followInstanceLogs!('follow1', { signal: new AbortController().signal }), swarmError('CONFLICT', /no log to follow/));
    });
  });
});
