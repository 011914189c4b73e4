import assert from 'node:assert/strict';
import { memoryProviderContext } from '../support/providerContext';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { instanceConfigSchema, type InstanceConfig, type InstanceConfigInput } from '../../src/core/models';
import { ProviderFactory } from '../../src/core/provider';
import { DockerProvider } from '../../src/providers/docker/dockerProvider';
import { dockerProvider } from '../../src/providers/docker';
import type { SwarmError } from '../../src/core/errors';
import { TEST_LABEL, ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { LABEL } from '../../src/providers/dockerEngine/dockerLabels';
import { swarmError } from '../support/swarmAssertions';

const MiB = 1024 * 1024;

describe('DockerProvider against the real Docker engine', function () {
  this.timeout(30_000);
  const docker = new Docker();
  let image: string;
  let provider: DockerProvider;
  const servers: net.Server[] = [];

  before(async () => {
    await requireDocker();
    image = ensureTestImage();
    provider = testProvider();
    await provider.initialize();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    await removeTestResources(docker);
  });

  function newInstance(overrides: Partial<InstanceConfigInput> = {}): { id: string; config: InstanceConfig } {
    const id = randomUUID().slice(0, 8);
    const config = instanceConfigSchema.parse({
      name: `rs-test-${id}`,
      image,
      workspacePath: '/workspace',
      resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 1 },
      ports: [{ container: 8080, purpose: 'ide' }],
      template: 'busybox',
      ...overrides,
    });
    return { id, config };
  }

  async function listen(port = 0, onConnection?: (socket: net.Socket) => void): Promise<number> {
    const server = net.createServer(onConnection ?? ((socket) => socket.destroy()));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  async function closedPort(): Promise<number> {
    const port = await listen();
    await new Promise((resolve) => servers.pop()?.close(resolve));
    return port;
  }

  /** Polls the instance's /healthz over real HTTP until it answers or the deadline passes. */
  async function healthz(url: string | undefined, deadlineMs = 10_000): Promise<unknown> {
    assert.ok(url, 'the instance has an IDE URL');
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      try {
        const response = await fetch(new URL('healthz', url));
        if (response.ok) return await response.json();
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`${url}healthz did not answer within ${deadlineMs} ms`);
      await delay(50);
    }
  }

  async function leftovers(id: string): Promise<{ containers: number; volumes: number }> {
    const filters = { label: [`remote-swarm.instance=${id}`] };
    const containers = await docker.listContainers({ all: true, filters });
    const { Volumes } = await docker.listVolumes({ filters });
    return { containers: containers.length, volumes: (Volumes ?? []).length };
  }

  it('runs the whole lifecycle: create, serve /healthz, stop, start, restart, logs, exec, delete', async () => {
    const { id, config } = newInstance();
    const progress: string[] = [];
    const created = await provider.createInstance({ id, config, password: 's3cret' }, { onProgress: (message) => progress.push(message) });
    assert.equal(created.status, 'running');
    assert.match(created.urls.ide ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(progress.some((message) => message.startsWith('Starting container')), progress.join('\n'));
    assert.deepEqual(await healthz(created.urls.ide), { status: 'alive', lastHeartbeat: 0 });
    const inspect = await docker.getContainer(created.metadata.containerId ?? '').inspect();
    assert.ok(inspect.Config.Env.includes('PASSWORD=s3cret'));
    assert.equal(inspect.Name, `/remote-swarm-${config.name}`);
    assert.equal(inspect.Config.Labels['remote-swarm.instance'], id);
    assert.equal(inspect.Config.Labels['remote-swarm.template'], 'busybox');
    assert.equal(inspect.HostConfig.RestartPolicy?.Name, 'unless-stopped');

    const stopped = await provider.stopInstance(id);
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.urls.ide, undefined);
    await assert.rejects(fetch(new URL('healthz', created.urls.ide)));

    const started = await provider.startInstance(id);
    assert.equal(started.status, 'running');
    await healthz(started.urls.ide);

    const restarted = await provider.restartInstance(id);
    assert.equal(restarted.status, 'running');
    await healthz(restarted.urls.ide);

    const startupLine = 'remote-swarm test image: busybox httpd serving /healthz on port 8080';
    assert.equal((await provider.getInstanceLogs(id)).split(startupLine).length - 1, 3, 'one startup line per start');
    const last = await provider.getInstanceLogs(id, { tail: 1, timestamps: true });
    assert.match(last, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+ ${startupLine}\\n$`));
    assert.equal(await provider.getInstanceLogs(id, { since: new Date(Date.now() + 3_600_000) }), '');

    assert.deepEqual(await provider.executeCommand(id, ['sh', '-c', 'echo out; echo err >&2; exit 3']), { stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    const withEnv = await provider.executeCommand(id, ['sh', '-c', 'echo "$GREETING"; pwd'], { env: { GREETING: 'hello there' }, workdir: '/tmp' });
    assert.deepEqual(withEnv, { stdout: 'hello there\n/tmp\n', stderr: '', exitCode: 0 });

    const killed = await provider.stopInstance(id, { force: true });
    assert.equal(killed.status, 'stopped');
    await assert.rejects(provider.executeCommand(id, ['true']), swarmError('CONFLICT', /not running/));

    await provider.deleteInstance(id, { keepWorkspace: false });
    assert.equal(await provider.getInstance(id), undefined);
    assert.deepEqual(await leftovers(id), { containers: 0, volumes: 0 });
    await assert.rejects(provider.startInstance(id), swarmError('INSTANCE_NOT_FOUND'));
    await assert.rejects(provider.getInstanceLogs(id), swarmError('INSTANCE_NOT_FOUND'));
  });

  it('applies CPU and memory limits and publishes ports on 127.0.0.1 only, at a given or a Docker-picked host port', async () => {
    const fixedPort = await closedPort();
    const { id, config } = newInstance({
      ports: [
        { container: 8080, purpose: 'ide' },
        { container: 9000, host: fixedPort },
      ],
    });
    const created = await provider.createInstance({ id, config });
    const inspect = await docker.getContainer(created.metadata.containerId ?? '').inspect();
    assert.equal(inspect.HostConfig.NanoCpus, 500_000_000);
    assert.equal(inspect.HostConfig.Memory, 128 * MiB);
    const bindings = Object.values(inspect.NetworkSettings.Ports).flatMap((list) => list ?? []);
    assert.equal(bindings.length, 2);
    assert.ok(bindings.every((binding) => binding.HostIp === '127.0.0.1'), JSON.stringify(bindings));
    assert.deepEqual(inspect.NetworkSettings.Ports['9000/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(fixedPort) }]);
    const idePort = Number(inspect.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
    assert.equal(created.urls.ide, `http://127.0.0.1:${idePort}/`);
    assert.deepEqual(
      created.ports.map(({ container, host, hostIp, purpose }) => ({ container, host, hostIp, purpose })).sort((a, b) => a.container - b.container),
      [
        { container: 8080, host: idePort, hostIp: '127.0.0.1', purpose: 'ide' },
        { container: 9000, host: fixedPort, hostIp: '127.0.0.1', purpose: 'other' },
      ],
    );
    assert.deepEqual(created.metadata, { containerId: inspect.Id, volume: `remote-swarm-${config.name}-${id}`, image });
  });

  it('keeps the workspace volume on delete when asked, and removes it otherwise', async () => {
    const kept = newInstance();
    const removed = newInstance();
    const [keptInstance, removedInstance] = await Promise.all([provider.createInstance(kept), provider.createInstance(removed)]);
    await provider.executeCommand(kept.id, ['sh', '-c', 'echo precious > /workspace/note.txt']);

    await provider.deleteInstance(kept.id, { keepWorkspace: true });
    await provider.deleteInstance(removed.id, { keepWorkspace: false });

    assert.deepEqual(await leftovers(kept.id), { containers: 0, volumes: 1 });
    assert.deepEqual(await leftovers(removed.id), { containers: 0, volumes: 0 });
    await assert.rejects(docker.getVolume(removedInstance.metadata.volume ?? '').inspect(), /no such volume/i);

    // Creating the same instance again picks its kept workspace up.
    const again = await provider.createInstance(kept);
    assert.equal(again.metadata.volume, keptInstance.metadata.volume);
    assert.equal((await provider.executeCommand(kept.id, ['cat', '/workspace/note.txt'])).stdout, 'precious\n');
  });

  it('updates CPU and memory live, in the same container', async () => {
    const { id, config } = newInstance();
    const created = await provider.createInstance({ id, config });
    const updated = await provider.updateInstance(id, { ...config, resources: { cpuCores: 1, memoryMB: 256, storageGB: 1 } });
    assert.equal(updated.metadata.containerId, created.metadata.containerId);
    assert.equal(updated.status, 'running');
    const inspect = await docker.getContainer(created.metadata.containerId ?? '').inspect();
    assert.equal(inspect.HostConfig.NanoCpus, 1_000_000_000);
    assert.equal(inspect.HostConfig.Memory, 256 * MiB);

    await provider.updateInstance(id, config);
    const reverted = await docker.getContainer(created.metadata.containerId ?? '').inspect();
    assert.deepEqual([reverted.HostConfig.NanoCpus, reverted.HostConfig.Memory], [500_000_000, 128 * MiB]);
  });

  it('recreates the container for a new env, keeping the workspace, the password and the running or stopped state', async () => {
    const { id, config } = newInstance();
    const created = await provider.createInstance({ id, config, password: 'keep-me' });
    await provider.executeCommand(id, ['sh', '-c', 'echo survived > /workspace/note.txt']);

    const updated = await provider.updateInstance(id, { ...config, env: { FEATURE: 'on' } });
    assert.notEqual(updated.metadata.containerId, created.metadata.containerId);
    assert.equal(updated.metadata.volume, created.metadata.volume);
    assert.equal(updated.status, 'running');
    assert.deepEqual(updated.config?.env, { FEATURE: 'on' });
    assert.equal((await provider.executeCommand(id, ['cat', '/workspace/note.txt'])).stdout, 'survived\n');
    assert.equal((await provider.executeCommand(id, ['sh', '-c', 'echo "$FEATURE $PASSWORD"'])).stdout, 'on keep-me\n');
    await healthz(updated.urls.ide);
    assert.deepEqual(await leftovers(id), { containers: 1, volumes: 1 });

    await provider.stopInstance(id);
    const updatedWhileStopped = await provider.updateInstance(id, { ...config, env: { FEATURE: 'off' } }, { password: 'new-one' });
    assert.equal(updatedWhileStopped.status, 'stopped');
    const inspect = await docker.getContainer(updatedWhileStopped.metadata.containerId ?? '').inspect();
    assert.ok(inspect.Config.Env.includes('FEATURE=off') && inspect.Config.Env.includes('PASSWORD=new-one'), inspect.Config.Env.join(' '));
  });

  it('shows and deletes an instance that a failed recreate left with two containers, the one serving it first', async () => {
    const { id, config } = newInstance();
    const created = await provider.createInstance({ id, config });
    const original = await docker.getContainer(created.metadata.containerId ?? '').inspect();
    // What a recreate whose removal of the old container failed leaves: a stopped, renamed copy with the same labels.
    const leftover = await docker.createContainer({ name: `remote-swarm-${config.name}-replaced-1`, Image: image, Labels: original.Config.Labels, Cmd: ['true'] });

    assert.deepEqual((await provider.listInstances()).filter((instance) => instance.id === id).map((instance) => instance.metadata.containerId), [created.metadata.containerId]);
    assert.equal((await provider.getInstance(id))?.status, 'running');
    await provider.deleteInstance(id, { keepWorkspace: false });
    assert.deepEqual(await leftovers(id), { containers: 0, volumes: 0 });
    await assert.rejects(docker.getContainer(leftover.id).inspect(), /no such container/i);
  });

  it('puts the old container back when its replacement cannot start', async () => {
    const { id, config } = newInstance();
    const created = await provider.createInstance({ id, config });
    const taken = await listen();
    await assert.rejects(
      provider.updateInstance(id, { ...config, ports: [{ container: 8080, host: taken, hostIp: '127.0.0.1', protocol: 'tcp', purpose: 'ide' }] }),
      swarmError('CONFLICT', new RegExp(`:${taken} is already in use`)),
    );
    const after = await provider.getInstance(id);
    assert.equal(after?.metadata.containerId, created.metadata.containerId);
    assert.equal(after?.status, 'running');
    assert.equal((await docker.getContainer(created.metadata.containerId ?? '').inspect()).Name, `/remote-swarm-${config.name}`);
    await healthz(after?.urls.ide);
    assert.deepEqual(await leftovers(id), { containers: 1, volumes: 1 });
  });

  describe('a failed create leaves no container and no volume', () => {
    it('when the image is missing and cannot be pulled: IMAGE_NOT_FOUND', async () => {
      const { id, config } = newInstance({ image: 'remote-swarm/does-not-exist:1' });
      await assert.rejects(
        provider.createInstance({ id, config }),
        (error: unknown) =>
          swarmError('IMAGE_NOT_FOUND', /"remote-swarm\/does-not-exist:1".*another default image/s)(error) &&
          JSON.stringify((error as SwarmError).remedy) === JSON.stringify({ kind: 'setting', setting: 'docker.defaultImage' }),
      );
      assert.deepEqual(await leftovers(id), { containers: 0, volumes: 0 });
    });

    it('when the host port is taken: CONFLICT naming the port', async () => {
      const taken = await listen();
      const { id, config } = newInstance({ ports: [{ container: 8080, host: taken, purpose: 'ide' }] });
      await assert.rejects(provider.createInstance({ id, config }), swarmError('CONFLICT', new RegExp(`127\\.0\\.0\\.1:${taken} is already in use.*leave it empty`)));
      assert.deepEqual(await leftovers(id), { containers: 0, volumes: 0 });
    });

    it('when the container name is taken: CONFLICT, and the existing instance is untouched', async () => {
      const first = newInstance();
      await provider.createInstance(first);
      const second = { id: randomUUID().slice(0, 8), config: first.config };
      await assert.rejects(provider.createInstance(second), swarmError('CONFLICT', /already exists/));
      assert.deepEqual(await leftovers(second.id), { containers: 0, volumes: 0 });
      assert.equal((await provider.getInstance(first.id))?.status, 'running');
    });

    it('when cancelled while the container starts', async () => {
      const { id, config } = newInstance();
      const controller = new AbortController();
      const onProgress = (message: string) => message.startsWith('Starting container') && controller.abort();
      await assert.rejects(provider.createInstance({ id, config }, { signal: controller.signal, onProgress }), swarmError('OPERATION_CANCELLED'));
      assert.deepEqual(await leftovers(id), { containers: 0, volumes: 0 });
    });

    it('when cancelled during the image pull', async () => {
      const controller = new AbortController();
      // A registry that accepts the engine's connection and never answers: the pull hangs until cancelled.
      const registryPort = await listen(0, (socket) => {
        controller.abort();
        socket.destroy();
      });
      const { id, config } = newInstance({ image: `127.0.0.1:${registryPort}/never/arrives:1` });
      const progress: string[] = [];
      await assert.rejects(
        provider.createInstance({ id, config }, { signal: controller.signal, onProgress: (message) => progress.push(message) }),
        swarmError('OPERATION_CANCELLED'),
      );
      assert.ok(progress.some((message) => message.startsWith('Pulling image')), progress.join('\n'));
      assert.deepEqual(await leftovers(id), { containers: 0, volumes: 0 });
    });
  });

  it('lists instances made by an earlier session with one Docker API call, config decoded from the label', async () => {
    const { id, config } = newInstance({ group: 'team-a', env: { MODE: 'dev' } });
    const created = await provider.createInstance({ id, config });

    const counted = new Docker();
    let calls = 0;
    const dial = counted.modem.dial.bind(counted.modem);
    counted.modem.dial = (options, callback) => {
      // The event stream the provider opens beside its first listing (to serve later ones), and its look for helper
      // containers a dead process left behind, are no listing calls.
      const sweepsHelpers = JSON.stringify(options.options ?? {}).includes(LABEL.helperOf);
      if (!options.path.startsWith('/events') && !sweepsHelpers) calls += 1;
      dial(options, callback);
    };
    const freshSession = testProvider({ docker: counted });
    const listed = await freshSession.listInstances();
    freshSession.dispose();
    assert.equal(calls, 1);

    const adopted = listed.find((instance) => instance.id === id);
    assert.ok(adopted, `instance ${id} is listed`);
    assert.deepEqual(adopted.config, config);
    assert.equal(adopted.name, config.name);
    assert.equal(adopted.status, 'running');
    assert.equal(adopted.urls.ide, created.urls.ide);
    assert.deepEqual(adopted.ports, created.ports);
    assert.deepEqual(adopted.metadata, created.metadata);
  });

  it('registers as "docker" with the remoteSwarm.docker settings', async () => {
    const factory = new ProviderFactory();
    factory.register(dockerProvider);
    assert.deepEqual(factory.types().map(({ type, displayName }) => ({ type, displayName })), [{ type: 'docker', displayName: 'Docker' }]);
    assert.deepEqual(factory.describe('docker')?.capabilities, new DockerProvider().getCapabilities(), 'declared capabilities match the provider');
    const fromSettings = await factory.create('docker', { host: '', defaultImage: image }, memoryProviderContext());
    assert.ok(fromSettings instanceof DockerProvider);
    assert.equal(fromSettings.defaultImage, image);
    await fromSettings.initialize();
    await assert.rejects(factory.create('docker', { host: 'docker.example:2375' }, memoryProviderContext()), swarmError('INVALID_CONFIG', /docker\.host/));
  });

  it('reports an unreachable engine as PROVIDER_UNAVAILABLE saying what to check', async () => {
    const advice: [string, RegExp][] = [
      ['unix:///nonexistent.sock', /dockerd is running.*"docker" group/s],
      [`tcp://127.0.0.1:${await closedPort()}`, /dockerd is running, that it listens on that address, whether it expects TLS/],
    ];
    for (const [host, check] of advice) {
      const unreachable = new DockerProvider({ host, extraLabels: { [TEST_LABEL]: '1' } });
      const expected = (error: unknown) => swarmError('PROVIDER_UNAVAILABLE', check)(error) && JSON.stringify((error as SwarmError).remedy) === JSON.stringify({ kind: 'setting', setting: 'docker.host' });
      await assert.rejects(unreachable.initialize(), expected);
      await assert.rejects(unreachable.listInstances(), expected);
    }
  });
});
