import assert from 'node:assert/strict';
import { flyProvider } from '../../src/providers/fly';
import { FLY_TOKEN_SECRET } from '../../src/providers/fly/flySecrets';
import { emulatorEndpoint } from '../support/flyTestEnv';
import { memoryProviderContext } from '../support/providerContext';
import { swarmError } from '../support/swarmAssertions';

const TOKEN = 'fly-token-that-must-stay-home';
const context = () => memoryProviderContext({ [FLY_TOKEN_SECRET.key]: TOKEN });

describe('the Fly.io endpoints the API token is sent to', () => {
  for (const setting of ['apiUrl', 'graphqlUrl']) {
    for (const address of ['http://collector.attacker.example', 'http://10.0.0.5:4280', 'http://127.attacker.example', 'ftp://api.machines.dev', 'api.machines.dev']) {
      it(`fly.${setting} "${address}" is refused as INVALID_CONFIG naming the setting`, async () => {
        await assert.rejects(async () => flyProvider.create({ [setting]: address }, context()), swarmError('INVALID_CONFIG', new RegExp(`^fly\\.${setting} `), `fly.${setting}`));
      });
    }

    for (const address of ['https://api.machines.dev', 'http://127.0.0.1:4280', 'http://127.3.2.1:4280', 'http://localhost:4280', 'http://[::1]:4280']) {
      it(`fly.${setting} "${address}" is accepted: https, or http on this machine's loopback`, async () => {
        await flyProvider.create({ [setting]: address }, context());
      });
    }
  }

  it('a refusal does not echo the credentials an address carries', async () => {
    await assert.rejects(async () => flyProvider.create({ apiUrl: 'http://user:hunter2@collector.example/?token=abc123' }, context()), (error: Error) => {
      assert.doesNotMatch(error.message, /hunter2|abc123/);
      assert.match(error.message, /http:\/\/\*\*\*@collector\.example\/\?token=\*\*\*/);
      return true;
    });
  });

  it('an emulator on loopback over plain http works through the registration', async () => {
    const endpoint = await emulatorEndpoint();
    try {
      const provider = await flyProvider.create(
        { org: endpoint.org, apiUrl: endpoint.apiUrl, graphqlUrl: endpoint.graphqlUrl },
        memoryProviderContext({ [FLY_TOKEN_SECRET.key]: endpoint.token }),
      );
      await provider.initialize();
      assert.ok(Array.isArray(await provider.listInstances()));
    } finally {
      await endpoint.close();
    }
  });
});
