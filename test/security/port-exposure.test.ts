import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { instanceConfigSchema, templateSchema } from '../../src/core/models';
import { isLoopbackAddress } from '../../src/core/loopback';
import { describeBinding, networkExposedPorts } from '../../src/core/portExposure';
import { loadTemplates } from '../../src/core/templates';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { useDockerSuite } from '../support/dockerTestEnv';
import { MemoryProvider } from '../support/memoryProvider';
import { swarmError } from '../support/swarmAssertions';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

/** A template publishing its IDE port on `hostIp`, as a user (or a workspace) might write it in settings. */
function templateBinding(name: string, hostIp: string, extra: Record<string, unknown> = {}) {
  return { name, image: 'remote-swarm/test-busybox:latest', ports: [{ container: 8080, purpose: 'ide', hostIp }], ...extra };
}

describe('security: where a published port is bound', () => {
  describe('the port schema', () => {
    it('reads hostIp "" as 127.0.0.1, as leaving it out does, not as every address', () => {
      const port = (hostIp?: string) => templateSchema.parse({ name: 't', ports: [{ container: 8080, ...(hostIp === undefined ? {} : { hostIp }) }] }).ports[0]!.hostIp;
      assert.equal(port(''), '127.0.0.1');
      assert.equal(port(undefined), '127.0.0.1');
      assert.equal(port('::1'), '::1');
      assert.equal(port('0.0.0.0'), '0.0.0.0', 'every address stays expressible, for the consent check to see');
    });

    it('refuses a hostIp that is not an IP address, naming the field', () => {
      for (const hostIp of ['localhost', 'any', '0.0.0.0; rm -rf /', '[::1]', '256.1.1.1']) {
        const { problems } = loadTemplates([templateBinding('bad-bind', hostIp)]);
        assert.equal(problems.length, 1, hostIp);
        assert.match(problems[0]!.message, /ports\.0\.hostIp must be an IP address/, hostIp);
      }
    });

    it('knows loopback in every spelling, and nothing else as loopback', () => {
      for (const address of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(address), true, address);
      for (const address of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'fe80::1']) assert.equal(isLoopbackAddress(address), false, address);
      assert.equal(describeBinding({ hostIp: '0.0.0.0', host: 32768, container: 8080 }), '0.0.0.0:32768 (every address)');
      assert.equal(describeBinding({ hostIp: '::1', host: 40000, container: 8080 }), '[::1]:40000');
    });
  });

  describe('consent in the core', () => {
    let temp: ReturnType<typeof makeTempDir>;
    let provider: MemoryProvider;
    let core: CoreHarness;

    beforeEach(async () => {
      temp = makeTempDir();
      provider = new MemoryProvider();
      core = await makeCore(temp.path, { memory: () => provider });
    });
    afterEach(() => {
      core.dispose();
      temp.remove();
    });

    it('refuses a template binding beyond loopback without the user\'s consent, naming the field, and makes nothing', async () => {
      core.userTemplates.push(templateBinding('shared', '0.0.0.0'));
      await assert.rejects(core.controller.create({ provider: 'memory', name: 'open', template: 'shared' }), swarmError('INVALID_CONFIG', /0\.0\.0\.0.*other machines can reach it/, 'ports.0.hostIp'));
      assert.equal(core.registry.size, 0);
      assert.deepEqual(provider.calls, []);

      const created = await core.controller.create({ provider: 'memory', name: 'open', template: 'shared', allowNetworkExposure: true });
      assert.equal(created.config.ports[0]?.hostIp, '0.0.0.0', 'with consent it is made as the template says');
    });

    it('needs no consent for loopback, nor for "" (which binds loopback)', async () => {
      core.userTemplates.push(templateBinding('empty-ip', ''));
      const created = await core.controller.create({ provider: 'memory', name: 'local', template: 'empty-ip' });
      assert.equal(created.config.ports[0]?.hostIp, '127.0.0.1');
    });

    it('refuses an IDE open to the network without a password, consent or not', async () => {
      await assert.rejects(
        core.controller.create({ provider: 'memory', name: 'open-ide', overrides: { ports: [{ container: 8080, purpose: 'ide', hostIp: '0.0.0.0' }], auth: { type: 'none' } }, allowNetworkExposure: true }),
        swarmError('INVALID_CONFIG', /"none" leaves the IDE open/, 'auth.type'),
      );
    });

    it('asks consent again when an update opens a port the instance did not have open', async () => {
      const { id } = await core.controller.create({ provider: 'memory', name: 'later' });
      const opened = { ports: [{ container: 8080, purpose: 'ide' as const, hostIp: '0.0.0.0' }] };
      await assert.rejects(core.controller.update(id, opened), swarmError('INVALID_CONFIG', undefined, 'ports.0.hostIp'));
      assert.equal((await core.controller.update(id, opened, { allowNetworkExposure: true })).config.ports[0]?.hostIp, '0.0.0.0');
    });
  });

  describe('consent where the provider publishes on all addresses (Docker Swarm)', () => {
    /** A provider that cannot bind one address, as Swarm cannot: it says so in its capabilities. */
    class AllAddressesProvider extends MemoryProvider {
      override getCapabilities() {
        return { ...super.getCapabilities(), publishesOnAllAddresses: true };
      }
    }
    let temp: ReturnType<typeof makeTempDir>;
    let provider: AllAddressesProvider;
    let core: CoreHarness;

    beforeEach(async () => {
      temp = makeTempDir();
      provider = new AllAddressesProvider();
      core = await makeCore(temp.path, { everywhere: () => provider });
    });
    afterEach(() => {
      core.dispose();
      temp.remove();
    });

    it('asks consent for a port the template binds to 127.0.0.1, since it is published on every address anyway, and makes nothing without it', async () => {
      core.userTemplates.push(templateBinding('local', '127.0.0.1'));
      await assert.rejects(
        core.controller.create({ provider: 'everywhere', name: 'local', template: 'local' }),
        swarmError('INVALID_CONFIG', /"127\.0\.0\.1" cannot keep port 8080 on loopback: .*every address.*consent/, 'ports.0.hostIp'),
      );
      assert.equal(core.registry.size, 0);
      assert.deepEqual(provider.calls, []);
      const created = await core.controller.create({ provider: 'everywhere', name: 'local', template: 'local', allowNetworkExposure: true });
      assert.equal(created.status, 'running');
    });

    it('refuses an IDE without a password even on 127.0.0.1, consent or not', async () => {
      await assert.rejects(
        core.controller.create({ provider: 'everywhere', name: 'open-ide', overrides: { ports: [{ container: 8080, purpose: 'ide' }], auth: { type: 'none' } }, allowNetworkExposure: true }),
        swarmError('INVALID_CONFIG', /"none" leaves the IDE open to anyone who reaches port 8080 on every address/, 'auth.type'),
      );
    });

    it('asks again on an update only for a port it did not publish before', async () => {
      const { id } = await core.controller.create({ provider: 'everywhere', name: 'later', allowNetworkExposure: true });
      const withSsh = { ports: [{ container: 8080, purpose: 'ide' as const }, { container: 22, purpose: 'ssh' as const }] };
      await assert.rejects(core.controller.update(id, withSsh), swarmError('INVALID_CONFIG', /port 22 on loopback/, 'ports.1.hostIp'));
      await core.controller.update(id, withSsh, { allowNetworkExposure: true });
      assert.equal((await core.controller.update(id, { env: { A: '1' } })).config.env.A, '1', 'the ports it had are no news');
    });

    it('reads every published port as open to the network, where the tree and the wizard look', () => {
      const ports = [{ container: 8080, host: 8080, hostIp: '127.0.0.1', protocol: 'tcp' as const, purpose: 'ide' as const }];
      assert.deepEqual(networkExposedPorts(ports), []);
      assert.deepEqual(networkExposedPorts(ports, true), ports);
    });
  });

  describe('on the real Docker Engine', function () {
    this.timeout(60_000);
    const suite = useDockerSuite();

    /** Creates a busybox instance whose IDE port is bound as `hostIp` says; returns it as the provider lists it. */
    async function createBound(label: string, hostIp: string) {
      const id = `bind${label}`;
      const config = instanceConfigSchema.parse({
        name: `rs-test-${RUN_ID}-${label}`,
        image: suite.image,
        resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 1 },
        ports: [{ container: 8080, purpose: 'ide', hostIp }],
      });
      return suite.provider.createInstance({ id, config });
    }

    async function portBindings(containerId: string) {
      return (await suite.docker.getContainer(containerId).inspect()).HostConfig.PortBindings as Record<string, { HostIp: string; HostPort: string }[]>;
    }

    it('binds a template\'s hostIp "" to 127.0.0.1 only', async () => {
      const created = await createBound('empty', '');
      assert.deepEqual((await portBindings(created.metadata.containerId!))['8080/tcp']?.map((binding) => binding.HostIp), ['127.0.0.1']);
      assert.equal(created.ports[0]?.hostIp, '127.0.0.1', 'the bound port as Docker reports it');
      assert.match(created.urls.ide ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    });

    it('shows the address a port is really bound to in its URL, not 127.0.0.1', async () => {
      // A non-loopback address of this machine (a network interface, or the Docker bridge's).
      const address = Object.values(networkInterfaces())
        .flat()
        .find((candidate) => candidate?.family === 'IPv4' && !candidate.internal)?.address;
      assert.ok(address, 'this machine has a non-loopback IPv4 address');
      const created = await createBound('network', address);
      assert.deepEqual((await portBindings(created.metadata.containerId!))['8080/tcp']?.map((binding) => binding.HostIp), [address]);
      const port = created.ports[0]!;
      assert.equal(port.hostIp, address);
      assert.equal(created.urls.ide, `http://${address}:${port.host}/`, 'the URL the tree shows names the bound address');
      assert.equal(describeBinding(port), `${address}:${port.host}`);
      assert.equal(isLoopbackAddress(port.hostIp), false, 'the tree marks it "open to the network"');
    });
  });
});
