import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { instanceConfigSchema } from '../../src/core/models';
import { isLocalEngine } from '../../src/providers/dockerEngine/dockerConnection';
import type { DockerProvider } from '../../src/providers/docker/dockerProvider';
import { useDockerSuite, testProvider, TEST_LABELS } from '../support/dockerTestEnv';
import { RUN_ID } from '../support/testRun';

const PASSWORD = `pw-${randomUUID()}`;
const CONFIG_FILE = '/etc/remote-swarm/code-server.yaml';

describe('security: the code-server password on an engine that is not this machine\'s', function () {
  this.timeout(120_000);
  const suite = useDockerSuite();
  /**
   * The provider as it is for a tcp:// or ssh:// engine (remoteSwarm.docker.host): it is forced into that mode here
   * and pointed at the local engine, rather than opening the engine on a TCP port of a shared machine.
   */
  let remoteMode: DockerProvider;

  before(() => {
    remoteMode = testProvider({ passwordDelivery: 'file' });
  });

  async function create(label: string, image = suite.image) {
    const id = randomUUID().slice(0, 8);
    const config = instanceConfigSchema.parse({
      name: `rs-test-${RUN_ID}-${label}`,
      image,
      workspacePath: '/workspace',
      resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 1 },
      ports: [{ container: 8080, purpose: 'ide' }],
    });
    const created = await remoteMode.createInstance({ id, config, password: PASSWORD });
    return { id, config, created };
  }

  async function run(id: string, argv: string[]): Promise<string> {
    const result = await remoteMode.executeCommand(id, argv);
    assert.equal(result.exitCode, 0, result.stderr);
    return result.stdout;
  }

  it('decides by the engine address: env on this machine\'s socket, a file on tcp:// and ssh://', () => {
    for (const local of ['unix:///var/run/docker.sock', 'npipe:////./pipe/docker_engine']) assert.equal(isLocalEngine(local), true, local);
    for (const remote of ['tcp://build-box:2375', 'tcp://127.0.0.1:2375', 'https://build-box:2376', 'ssh://dev@build-box']) assert.equal(isLocalEngine(remote), false, remote);
  });

  it('puts the password in a 0600 file that code-server reads as its config, not in the container\'s environment', async () => {
    const { id, config, created } = await create('pwfile');
    const inspect = await suite.docker.getContainer(created.metadata.containerId!).inspect();
    assert.ok(!inspect.Config.Env.some((entry) => entry.startsWith('PASSWORD=')), 'docker inspect shows no PASSWORD');
    assert.ok(!JSON.stringify(inspect).includes(PASSWORD), 'nor the password anywhere else');
    assert.ok(inspect.Config.Env.includes(`CODE_SERVER_CONFIG=${CONFIG_FILE}`), 'code-server is told where the file is');

    assert.equal(await run(id, ['stat', '-c', '%a %u:%g %n', '/etc/remote-swarm', CONFIG_FILE]), `700 0:0 /etc/remote-swarm\n600 0:0 ${CONFIG_FILE}\n`);
    assert.equal(await run(id, ['cat', CONFIG_FILE]), `auth: password\npassword: "${PASSWORD}"\n`);
    assert.ok(!(await run(id, ['env'])).includes(PASSWORD), 'a docker exec does not inherit it');

    // A recreate without the password at hand takes it from the old container's file.
    await remoteMode.updateInstance(id, { ...config, env: { EDITOR: 'vi' } });
    assert.equal(await run(id, ['cat', CONFIG_FILE]), `auth: password\npassword: "${PASSWORD}"\n`);
    assert.match(await run(id, ['env']), /^EDITOR=vi$/m, 'it is the recreated container');
  });

  describe('for an image that runs as a named user', () => {
    const image = `remote-swarm/test-named-user:${RUN_ID}`;

    before(async () => {
      const context = tarPack();
      context.entry({ name: 'Dockerfile' }, [`FROM ${suite.image}`, "RUN echo 'coder:x:1000:1001::/workspace:/bin/sh' >> /etc/passwd", 'USER coder', ''].join('\n'));
      context.finalize();
      const output = await suite.docker.buildImage(context as unknown as Readable, { t: image, labels: { ...TEST_LABELS } });
      const steps = await new Promise<{ error?: string }[]>((resolve, reject) => suite.docker.modem.followProgress(output, (error, result) => (error ? reject(error) : resolve(result))));
      const failed = steps.find((step) => step.error);
      if (failed) throw new Error(`building ${image} failed: ${failed.error}`);
    });
    after(async () => {
      await suite.docker.getImage(image).remove({ force: true }).catch(() => undefined);
    });

    it('gives the file to that user, who alone can read it', async () => {
      const { id } = await create('pwuser', image);
      assert.equal(await run(id, ['id', '-u']), '1000\n', 'commands run as the image\'s user');
      assert.equal(await run(id, ['stat', '-c', '%a %u:%g', CONFIG_FILE]), '600 1000:1001\n');
      assert.match(await run(id, ['cat', CONFIG_FILE]), new RegExp(`password: "${PASSWORD}"`));
    });
  });
});
