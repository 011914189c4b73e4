import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { dockerNetworkName, NETWORK_LABEL } from '../../src/providers/docker/dockerNetworks';
import { TEST_LABEL, useDockerSuite } from '../support/dockerTestEnv';
import { swarmError } from '../support/swarmAssertions';
import { RUN_ID, RUN_LABEL } from '../support/testRun';

/** busybox httpd in the test image serves this on port 8080. */
const HEALTHZ = '{"status":"alive","lastHeartbeat":0}';

describe('Docker private networks against the real Docker engine', function () {
  this.timeout(60_000);
  const suite = useDockerSuite();

  const networkName = (label: string) => `rs-test-${RUN_ID}-${label}`;

  const newInstance = async (label: string) => (await suite.newInstance(label)).id;


  /**
   * What `from` gets from http://host:8080/healthz, or undefined when it cannot reach it within `seconds` (Debian's
   * busybox wget -T segfaults: timeout instead). A name the network does not know goes on to the host's resolvers,
   * which may not answer at all: so a check that it cannot be reached takes its whole timeout.
   */
  async function fetchFrom(from: string, host: string, seconds = 3): Promise<string | undefined> {
    const result = await suite.provider.executeCommand(from, ['timeout', String(seconds), 'wget', '-qO-', `http://${host}:8080/healthz`]);
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  /** Polls until `from` reaches `host` (the engine's DNS and the server may take a moment), failing at the deadline. */
  async function reaches(from: string, host: string, deadlineMs = 15_000): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const body = await fetchFrom(from, host);
      if (body !== undefined) return body;
      if (Date.now() > deadline) throw new Error(`${from} did not reach ${host} within ${deadlineMs} ms`);
      await delay(100);
    }
  }

  it('declares private networks', () => {
    assert.equal(suite.provider.getCapabilities().privateNetworks, true);
    assert.ok(suite.provider.networks);
  });

  it('creates a labelled bridge network per name, lists it, refuses a second of that name, and deletes it once', async () => {
    const networks = suite.provider.networks!;
    const name = networkName('one');
    const created = await networks.createNetwork(name, { 'remote-swarm.group': 'g1' });
    assert.equal(created.name, name);
    const inspect = (await suite.docker.getNetwork(created.id).inspect()) as Docker.NetworkInspectInfo & { Labels: Record<string, string> };
    assert.equal(inspect.Name, dockerNetworkName(name));
    assert.equal(inspect.Driver, 'bridge');
    assert.equal(inspect.Labels[NETWORK_LABEL], name);
    assert.equal(inspect.Labels[TEST_LABEL], '1');
    assert.equal(inspect.Labels[RUN_LABEL], RUN_ID);
    assert.equal(inspect.Labels['remote-swarm.group'], 'g1');

    assert.deepEqual(await networks.listNetworks(), [{ id: created.id, name, labels: inspect.Labels }]);
    await assert.rejects(networks.createNetwork(name), swarmError('CONFLICT', /already exists/));
    await assert.rejects(networks.createNetwork('bad name!'), swarmError('INVALID_CONFIG', undefined, 'name'));
    assert.equal((await networks.listNetworks()).length, 1);

    await networks.deleteNetwork(name);
    assert.deepEqual(await networks.listNetworks(), []);
    await assert.rejects(suite.docker.getNetwork(created.id).inspect(), (error: { statusCode?: number }) => error.statusCode === 404);
    await networks.deleteNetwork(name);
  });

  it('lets members reach each other by alias, and nobody on another network', async () => {
    const networks = suite.provider.networks!;
    const [coordinator, worker, outsider] = await Promise.all([newInstance('coordinator'), newInstance('worker'), newInstance('outsider')]);
    await networks.createNetwork(networkName('group'));
    await networks.createNetwork(networkName('other'));
    await networks.connectInstance(networkName('group'), coordinator, ['coordinator', 'coordinator.group']);
    await networks.connectInstance(networkName('group'), worker, ['worker-1']);
    await networks.connectInstance(networkName('other'), outsider, ['outsider']);

    assert.equal(await reaches(worker, 'coordinator'), HEALTHZ);
    assert.equal(await reaches(worker, 'coordinator.group'), HEALTHZ);
    assert.equal(await reaches(coordinator, 'worker-1'), HEALTHZ);
    // Side by side: each check that something cannot be reached takes its whole timeout.
    const [outsiderToCoordinator, coordinatorToOutsider, outsiderToContainerName] = await Promise.all([
      fetchFrom(outsider, 'coordinator'),
      fetchFrom(coordinator, 'outsider'),
      fetchFrom(outsider, `remote-swarm-rs-test-${RUN_ID}-coordinator`),
    ]);
    assert.equal(outsiderToCoordinator, undefined, 'an alias does not resolve on another network');
    assert.equal(coordinatorToOutsider, undefined);
    assert.equal(outsiderToContainerName, undefined, 'nor does a container name');

    // Joining again as it is changes nothing; with other aliases it is refused.
    await networks.connectInstance(networkName('group'), worker, ['worker-1']);
    await assert.rejects(networks.connectInstance(networkName('group'), worker, ['worker-2']), swarmError('CONFLICT', /other aliases/));
    await assert.rejects(networks.connectInstance(networkName('group'), worker, ['not an alias']), swarmError('INVALID_CONFIG'));
    await assert.rejects(networks.connectInstance(networkName('missing'), worker, ['w']), swarmError('OPERATION_FAILED', /no network/));
    await assert.rejects(networks.connectInstance(networkName('group'), 'no-such-instance', ['w']), swarmError('INSTANCE_NOT_FOUND'));

    // Members keep the network from going; once they have left, it goes.
    await assert.rejects(networks.deleteNetwork(networkName('group')), swarmError('CONFLICT', /still has members/));
    await networks.disconnectInstance(networkName('group'), worker);
    assert.equal(await fetchFrom(worker, 'coordinator'), undefined, 'a member that left no longer reaches the others');
    await networks.disconnectInstance(networkName('group'), worker);
    await networks.disconnectInstance(networkName('group'), coordinator);
    await networks.disconnectInstance(networkName('other'), outsider);
    await networks.deleteNetwork(networkName('group'));
    await networks.deleteNetwork(networkName('other'));
    await networks.disconnectInstance(networkName('group'), worker);
    assert.deepEqual(await networks.listNetworks(), []);
  });

  it('joins a stopped instance, which is reachable once started; a stopped member keeps the network', async () => {
    const networks = suite.provider.networks!;
    const [member, client] = await Promise.all([newInstance('stopped-member'), newInstance('client')]);
    await networks.createNetwork(networkName('late'));
    await suite.provider.stopInstance(member);
    await networks.connectInstance(networkName('late'), member, ['late-joiner']);
    // The engine itself would remove the network under a stopped member, which then could not start.
    await assert.rejects(networks.deleteNetwork(networkName('late')), swarmError('CONFLICT', /still has members \(rs-test-.*-stopped-member\)/));
    await networks.connectInstance(networkName('late'), client, ['client']);
    await suite.provider.startInstance(member);
    assert.equal(await reaches(client, 'late-joiner'), HEALTHZ);
  });
});
