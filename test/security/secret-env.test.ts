import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { instanceEnvSecretKey } from '../../src/core/stores';
import { loadTemplates } from '../../src/core/templates';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { emulatorEndpoint, sweepTestApps, testAppName, testFlyClient, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';
import { MemoryProvider } from '../support/memoryProvider';
import { swarmError } from '../support/swarmAssertions';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const TOKEN = `ghp_secret-${RUN_ID}-value`;
const ROTATED = `ghp_rotated-${RUN_ID}-value`;

/** A template as a user writes it: a plain variable, and a token whose value must never be recorded. */
function tokenTemplate(image: string) {
  return { name: 'with-token', image, workspacePath: '/workspace', env: { EDITOR: 'vi' }, secretEnv: ['GITHUB_TOKEN'], resources: { cpuCores: 1, memoryMB: 256, storageGB: 1 } };
}

describe('security: secretEnv values live in the secret store only', () => {
  describe('in the core', () => {
    let temp: ReturnType<typeof makeTempDir>;
    let core: CoreHarness;

    beforeEach(async () => {
      temp = makeTempDir();
      core = await makeCore(temp.path, { memory: () => new MemoryProvider() });
      core.userTemplates.push(tokenTemplate('img:1'));
    });
    afterEach(() => {
      core.dispose();
      temp.remove();
    });

    it('keeps the value under the instance\'s key, out of the saved registry, and forgets it on delete', async () => {
      const created = await core.controller.create({ provider: 'memory', name: 'tok', template: 'with-token', secretEnv: { GITHUB_TOKEN: TOKEN } });
      assert.deepEqual(created.config.secretEnv, ['GITHUB_TOKEN'], 'the configuration names the variable');
      assert.equal(await core.secrets.get(instanceEnvSecretKey(created.id, 'GITHUB_TOKEN')), TOKEN);
      assert.ok(!readFileSync(core.storePath, 'utf8').includes(TOKEN), 'the registry file does not hold the value');

      await core.controller.delete(created.id, { keepWorkspace: false });
      assert.equal(await core.secrets.get(instanceEnvSecretKey(created.id, 'GITHUB_TOKEN')), undefined);
    });

    it('refuses a create without a value, or with a value for a name the configuration does not declare, naming it', async () => {
      await assert.rejects(core.controller.create({ provider: 'memory', name: 'tok', template: 'with-token' }), swarmError('INVALID_CONFIG', /needs a value/, 'secretEnv.GITHUB_TOKEN'));
      await assert.rejects(
        core.controller.create({ provider: 'memory', name: 'tok', template: 'with-token', secretEnv: { GITHUB_TOKEN: TOKEN, AWS_KEY: 'x' } }),
        swarmError('INVALID_CONFIG', /not a secretEnv name.*GITHUB_TOKEN/, 'secretEnv.AWS_KEY'),
      );
      assert.equal(core.registry.size, 0);
    });

    it('refuses a template that lists a variable both as plain env and as secret', () => {
      const { problems } = loadTemplates([{ name: 'both', env: { GITHUB_TOKEN: 'plain' }, secretEnv: ['GITHUB_TOKEN'] }]);
      assert.match(problems[0]?.message ?? '', /secretEnv\.0 "GITHUB_TOKEN" is in env too/);
    });
  });

  describe('on the real Docker Engine', function () {
    this.timeout(60_000);
    const docker = new Docker();
    let temp: ReturnType<typeof makeTempDir>;
    let core: CoreHarness;

    before(async () => {
      await requireDocker();
    });
    beforeEach(async () => {
      temp = makeTempDir();
      core = await makeCore(temp.path, { docker: () => testProvider() });
      core.userTemplates.push(tokenTemplate(ensureTestImage()));
    });
    afterEach(async () => {
      core.dispose();
      temp.remove();
      await removeTestResources(docker);
    });

    it('gives the value to the container as environment, never to its labels or the registry, also after a recreate', async () => {
      const created = await core.controller.create({ provider: 'docker', name: `tok-${RUN_ID}`, template: 'with-token', secretEnv: { GITHUB_TOKEN: TOKEN } });
      const inspect = async () => docker.getContainer(core.controller.get(created.id).metadata.containerId!).inspect();
      const first = await inspect();
      assert.ok(first.Config.Env.includes(`GITHUB_TOKEN=${TOKEN}`), 'the container has it as environment');
      assert.ok(!JSON.stringify(first.Config.Labels).includes(TOKEN), 'no label holds it');
      assert.deepEqual(JSON.parse(first.Config.Labels['remote-swarm.config']!).secretEnv, ['GITHUB_TOKEN'], 'the recorded config names it');
      assert.ok(!readFileSync(core.storePath, 'utf8').includes(TOKEN), 'the registry file does not hold it');

      // A change of plain env recreates the container: the value comes from the secret store again.
      await core.controller.update(created.id, { env: { EDITOR: 'nano' } });
      const recreated = await inspect();
      assert.notEqual(recreated.Id, first.Id, 'a new container');
      assert.ok(recreated.Config.Env.includes(`GITHUB_TOKEN=${TOKEN}`));
      assert.ok(recreated.Config.Env.includes('EDITOR=nano'));

      // A new value given with an update, and nothing else, replaces the old one, in the container and in the store.
      await core.controller.update(created.id, {}, { secretEnv: { GITHUB_TOKEN: ROTATED } });
      assert.ok((await inspect()).Config.Env.includes(`GITHUB_TOKEN=${ROTATED}`));
      assert.equal(await core.secrets.get(instanceEnvSecretKey(created.id, 'GITHUB_TOKEN')), ROTATED);
      assert.ok(!JSON.stringify((await inspect()).Config.Labels).includes(ROTATED));
    });
  });

  describe('on Fly.io (the emulator)', function () {
    this.timeout(30_000);
    let endpoint: EmulatorEndpoint;
    let temp: ReturnType<typeof makeTempDir>;
    let core: CoreHarness;

    before(async () => {
      endpoint = await emulatorEndpoint();
    });
    beforeEach(async () => {
      temp = makeTempDir();
      core = await makeCore(temp.path, { fly: () => testFlyProvider(endpoint) });
      core.userTemplates.push(tokenTemplate(endpoint.image));
    });
    afterEach(async () => {
      core.dispose();
      temp.remove();
      await sweepTestApps(endpoint);
    });
    after(async () => {
      await endpoint?.close();
    });

    it('sets the value as an app secret, never in the machine\'s env or metadata', async () => {
      const created = await core.controller.create({ provider: 'fly', name: 'fly-tok', template: 'with-token', secretEnv: { GITHUB_TOKEN: TOKEN } });
      const app = testAppName(created.id);
      const secrets = endpoint.emulator.appSecrets(app);
      assert.equal(secrets.GITHUB_TOKEN, TOKEN, 'an app secret');
      assert.ok(secrets.PASSWORD, 'next to the code-server password');
      const [machine] = await testFlyClient(endpoint).listMachines(app);
      assert.deepEqual(machine?.config.env, { EDITOR: 'vi' }, 'the machine\'s env is the plain env only');
      assert.ok(!JSON.stringify(machine?.config.metadata).includes(TOKEN), 'no metadata holds it');
      assert.deepEqual(JSON.parse(machine!.config.metadata!.remote_swarm_config!).secretEnv, ['GITHUB_TOKEN']);
      assert.ok(!readFileSync(core.storePath, 'utf8').includes(TOKEN), 'the registry file does not hold it');
    });
  });
});
