import assert from 'node:assert/strict';
import { join } from 'node:path';
import { errorMessage, SwarmError } from '../../src/core/errors';
import { FileSecretStore } from '../../src/core/fileSecretStore';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import type { Logger } from '../../src/core/logger';
import { redactUrls } from '../../src/core/redaction';
import { createSwarm } from '../../src/core/swarm';
import { dockerProvider } from '../../src/providers/docker';
import { memoryProviderContext } from '../support/providerContext';
import { makeTempDir } from '../support/tempDir';

/** A Logger keeping every line it is given. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string) => void lines.push(message);
  return { lines, debug: record, info: record, warn: record, error: record };
}

describe('credentials in a URL', () => {
  it('are redacted wherever the URL stands in a text', () => {
    const cases: [string, string][] = [
      ['Cannot reach tcp://admin:hunter2@build-box:2375 now', 'Cannot reach tcp://***@build-box:2375 now'],
      ['"https://ghp_0123456789@github.com/team/repo.git"', '"https://***@github.com/team/repo.git"'],
      ['https://api.example/v1?region=iad&access_token=abc123&sig=zz#top', 'https://api.example/v1?region=iad&access_token=***&sig=***#top'],
      ['ssh://deploy:pa55@box:2222/x', 'ssh://deploy:***@box:2222/x'],
      ['tcp://user:p@ss@build-box:2375', 'tcp://***@build-box:2375'],
    ];
    for (const [text, shown] of cases) assert.equal(redactUrls(text), shown);
  });

  it('leave addresses without credentials as they are, ssh:// login names included', () => {
    for (const text of ['ssh://deploy@box', 'unix:///var/run/docker.sock', 'http://127.0.0.1:4280/v1/apps?org_slug=personal', 'mail me at me@example.com']) assert.equal(redactUrls(text), text);
  });

  it('never reach an error message, its stack, or errorMessage of anything thrown', () => {
    const error = new SwarmError('PROVIDER_UNAVAILABLE', 'Cannot reach the Docker engine at tcp://admin:hunter2@build-box:2375');
    assert.doesNotMatch(error.message, /hunter2/);
    assert.doesNotMatch(String(error.stack), /hunter2/);
    assert.doesNotMatch(errorMessage(new Error('request to https://u:hunter2@api.example failed')), /hunter2/);
    assert.doesNotMatch(errorMessage('fetch https://api.example/?token=hunter2'), /hunter2/);
  });

  it('never reach the log: whatever the core or a provider writes there goes through redaction', () => {
    const temp = makeTempDir();
    const log = recordingLogger();
    const swarm = createSwarm({ stores: { state: new JsonFileStore(join(temp.path, 'state.json')) }, secrets: new FileSecretStore(join(temp.path, 'secrets.json')), settings: { get: () => undefined, onDidChange: () => ({ dispose: () => undefined }) }, log, providers: [] });
    try {
      swarm.log.warn('engine tcp://admin:hunter2@build-box:2375 is slow');
      assert.deepEqual(log.lines, ['engine tcp://***@build-box:2375 is slow']);
    } finally {
      swarm.dispose();
      temp.remove();
    }
  });

  it('of a Docker host are not in its errors, nor in the warning that it is reached over plain HTTP', async () => {
    const log = recordingLogger();
    await dockerProvider.create({ host: 'tcp://admin:hunter2@192.0.2.10:2375' }, { ...memoryProviderContext(), log });
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0]!, /^The Docker engine at tcp:\/\/\*\*\*@192\.0\.2\.10:2375 is reached over plain HTTP/);

    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const unreachable = await dockerProvider.create({ host: 'tcp://admin:hunter2@127.0.0.1:1' }, memoryProviderContext());
    await assert.rejects(unreachable.initialize(), (error: SwarmError) => {
      assert.equal(error.code, 'PROVIDER_UNAVAILABLE');
      assert.match(error.message, /tcp:\/\/\*\*\*@127\.0\.0\.1:1/);
      assert.doesNotMatch(`${error.message} ${JSON.stringify(error.details)} ${error.stack}`, /hunter2/);
      return true;
    });
    await assert.rejects(async () => dockerProvider.create({ host: 'ftp://admin:hunter2@box' }, memoryProviderContext()), (error: SwarmError) => {
      assert.equal(error.details.field, 'docker.host');
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});
