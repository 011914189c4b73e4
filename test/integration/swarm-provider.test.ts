import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { groupNetworkName, memberNetwork } from '../../src/core/groups/groupMembers';
import { instanceConfigSchema, type InstanceConfig, type InstanceConfigInput } from '../../src/core/models';
import type { ProviderInstance } from '../../src/core/provider';
import { readTraefikLabels } from '../../src/providers/swarm';
import type { SwarmProvider } from '../../src/providers/swarm/swarmProvider';
import { silentLogger } from '../../src/core/logger';
import { ClusterNodeListings } from '../../src/vscode/clusterNodeListings';
import { clusterNodeChildren, clusterNodesFolder } from '../../src/vscode/clusterTreeNodes';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';
import { useSwarmRig } from '../support/swarmTestRig';

/** Polls until `done` accepts what `probe` returns, or fails naming what it saw last. */
async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 30_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what} within ${deadlineMs} ms; last seen: ${JSON.stringify(value)}`);
    await delay(100);
  }
}

/** The Nodes folder of the tree as a user reads it: each node's hostname with the names of the instances under it. */
function treeRows(listings: ClusterNodeListings, core: CoreHarness): [string, string[]][] {
  const [folder] = clusterNodesFolder('swarm', listings.of('swarm'), core.controller.list({ provider: 'swarm' }));
  return folder ? clusterNodeChildren(folder).map(({ node, instances }) => [node.hostname, instances.map((instance) => instance.name)]) : [];
}

async function httpBody(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return `${response.status} ${await response.text()}`;
}

describe('Swarm provider on a real three-node swarm', function () {
  this.timeout(120_000);
  const holder = useSwarmRig(3);
  let provider: SwarmProvider;
  let counter = 0;
  const made = new Set<string>();

  function config(label: string, extra: Partial<InstanceConfigInput> = {}): InstanceConfig {
    return instanceConfigSchema.parse({
      name: `rs-sw-${RUN_ID}-${label}${++counter}`,
      image: holder.rig.image,
      workspacePath: '/workspace',
      resources: { cpuCores: 0.25, memoryMB: 128, storageGB: 1 },
      ports: [{ container: 8080, purpose: 'ide' }],
      template: 'busybox',
      ...extra,
    });
  }

  async function create(cfg: InstanceConfig, password?: string): Promise<ProviderInstance> {
    const id = randomBytes(6).toString('hex');
    made.add(id);
    return provider.createInstance({ id, config: cfg, ...(password ? { password } : {}) });
  }

  before(async () => {
    provider = holder.rig.provider();
    await provider.initialize();
  });

  afterEach(async function () {
    this.timeout(60_000);
    for (const id of made) await provider.deleteInstance(id, { keepWorkspace: false }).catch(() => undefined);
    made.clear();
    for (const network of await provider.networks.listNetworks()) await provider.networks.deleteNetwork(network.name);
    for (const node of holder.rig.nodes) {
      await provider.nodes.setAvailability((await holder.rig.manager.docker.getNode(node.name).inspect()).ID, 'active');
      const spec = (await holder.rig.manager.docker.getNode(node.name).inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
      await holder.rig.manager.docker.getNode(node.name).update({ version: spec.Version.Index, ...spec.Spec, Labels: {} });
    }
    // Every service, secret, network, container and volume the test made is gone, on every node.
    assert.deepEqual(await eventually('nothing of this run left on any node', () => holder.rig.leftovers(), (left) => left.length === 0), []);
  });

  it('creates an instance as a service that answers on its published port; stop, start and delete follow', async () => {
    const cfg = config('life');
    const created = await create(cfg);
    assert.equal(created.status, 'running');
    assert.ok(created.urls.ide, `an IDE URL: ${JSON.stringify(created)}`);
    assert.match(await httpBody(new URL('healthz', created.urls.ide).href), /^200 .*alive/);
    assert.ok(holder.rig.nodes.some((node) => node.address === new URL(created.urls.ide!).hostname), 'the URL is the address of the node running it');

    await provider.executeCommand(created.id, ['sh', '-c', 'echo kept > /workspace/marker']);
    const stopped = await provider.stopInstance(created.id);
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.urls.ide, undefined);
    const started = await provider.startInstance(created.id);
    assert.equal(started.status, 'running');
    assert.equal(started.metadata.node, created.metadata.node, 'pinned to the node its workspace volume is on');
    assert.deepEqual(await provider.executeCommand(created.id, ['cat', '/workspace/marker']), { stdout: 'kept\n', stderr: '', exitCode: 0 });
    assert.match(await httpBody(new URL('healthz', started.urls.ide!).href), /^200 /);

    await provider.deleteInstance(created.id, { keepWorkspace: false });
    made.delete(created.id);
    assert.equal(await provider.getInstance(created.id), undefined);
    assert.deepEqual(await eventually('the instance leaves nothing', () => holder.rig.leftovers(`remote-swarm.instance=${created.id}`), (left) => left.length === 0), []);
  });

  it('places an instance on the node with the label it asks for; draining the node it runs on moves it, and a refresh, the nodes and the tree follow', async () => {
    const { docker } = holder.rig.manager;
    const labelled = holder.rig.nodes[2]!;
    const node = docker.getNode(labelled.name);
    const info = (await node.inspect()) as { ID: string; Version: { Index: number }; Spec: Record<string, unknown> };
    await node.update({ version: info.Version.Index, ...info.Spec, Labels: { zone: `z-${RUN_ID}` } });

    const placed = await create(config('placed', { options: { constraints: [`node.labels.zone==z-${RUN_ID}`] } }));
    assert.equal(placed.metadata.node, labelled.name);

    const roaming = await create(config('roam', { options: { pinToNode: false } }));
    const from = roaming.metadata.nodeId!;
    const before = await provider.nodes.listNodes();
    assert.ok(before.find((candidate) => candidate.id === from)?.instances.includes(roaming.id), 'the nodes view shows it on its node');
    assert.deepEqual(
      before.map((candidate) => [candidate.hostname, candidate.role, candidate.availability, candidate.state]),
      [
        ['node1', 'manager', 'active', 'ready'],
        ['node2', 'worker', 'active', 'ready'],
        ['node3', 'worker', 'active', 'ready'],
      ],
    );
    assert.ok(before.every((candidate) => candidate.engineVersion && candidate.cpuCores && candidate.memoryBytes));

    // The extension's way: a core over this swarm, the nodes listed after each refresh, the drain through them.
    const temp = makeTempDir();
    const core = await makeCore(temp.path, { swarm: () => provider });
    core.otherSettings.defaultProvider = 'swarm';
    const listings = new ClusterNodeListings(core.pool, core.swarm.refresher, silentLogger);
    try {
      const fromHost = before.find((candidate) => candidate.id === from)!.hostname;
      await core.swarm.refresher.refresh();
      assert.equal(core.controller.get(roaming.id).metadata.node, fromHost, 'a refresh records the node it runs on');
      await eventually('the nodes listed after the refresh', async () => treeRows(listings, core), (rows) => rows.some(([host, names]) => host === fromHost && names.includes(roaming.name)));

      const drained = await listings.setAvailability('swarm', from, 'drain');
      assert.equal(drained.availability, 'drain');
      const moved = await eventually(
        'a refresh shows the instance running on another node',
        async () => (await core.controller.reconcile(['swarm']), core.controller.get(roaming.id)),
        (instance) => instance.status === 'running' && instance.metadata.node !== fromHost && instance.metadata.nodeId !== from,
      );
      assert.match(await httpBody(new URL('healthz', moved.urls.ide!).href), /^200 /);
      const after = await provider.nodes.listNodes();
      assert.equal(after.find((candidate) => candidate.id === from)?.availability, 'drain');
      assert.ok(!after.find((candidate) => candidate.id === from)?.instances.includes(roaming.id), 'gone from the drained node');
      assert.ok(after.find((candidate) => candidate.id === moved.metadata.nodeId)?.instances.includes(roaming.id), 'shown on its new node');

      await core.swarm.refresher.refresh();
      const rows = await eventually('the tree shows it under its new node', async () => treeRows(listings, core), (seen) =>
        seen.some(([host, names]) => host === moved.metadata.node && names.includes(roaming.name)),
      );
      assert.ok(!rows.find(([host]) => host === fromHost)![1].includes(roaming.name), `not under the drained node: ${JSON.stringify(rows)}`);
    } finally {
      listings.dispose();
      core.dispose();
      temp.remove();
    }
  });

  it('two members of one group on different nodes reach each other by name over the group overlay network', async () => {
    const group = `g${RUN_ID}`.slice(0, 20);
    await provider.networks.createNetwork(groupNetworkName(group));
    const coordinator = await create(config('coord', { group, groupRole: 'coordinator', options: { constraints: ['node.hostname==node2'] } }));
    const worker = await create(config('work', { group, groupRole: 'worker-1', options: { constraints: ['node.hostname==node3'] } }));
    assert.deepEqual([coordinator.metadata.node, worker.metadata.node], ['node2', 'node3']);
    assert.deepEqual(memberNetwork(worker.config!)?.aliases, ['worker-1', worker.name, 'workers']);

    for (const [from, to] of [
      [worker, 'coordinator'],
      [coordinator, 'worker-1'],
      [coordinator, 'workers'],
      [coordinator, worker.name],
    ] as const) {
      const answer = await eventually(
        `${from.name} reaches ${to}`,
        () => provider.executeCommand(from.id, ['timeout', '5', 'wget', '-q', '-O', '-', `http://${to}:8080/healthz`]),
        (result) => result.exitCode === 0,
      );
      assert.match(answer.stdout, /alive/);
    }
  });

  it('keeps the code-server password in a Docker secret file: the service spec holds no password', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const created = await create(config('secret'), password);
    const service = await holder.rig.manager.docker.getService(created.metadata.serviceId!).inspect();
    assert.ok(!JSON.stringify(service).includes(password), 'docker service inspect shows no password');
    const read = await provider.executeCommand(created.id, ['cat', '/run/secrets/remote-swarm-code-server.yaml']);
    assert.equal(read.stdout, `auth: password\npassword: ${JSON.stringify(password)}\n`);
    assert.equal(await provider.passwords.recover(created.id), password);
    const env = await provider.executeCommand(created.id, ['env']);
    assert.ok(!env.stdout.includes(password), 'nor the environment');
    assert.match(env.stdout, /^CODE_SERVER_CONFIG=\/run\/secrets\/remote-swarm-code-server.yaml$/m);

    const next = `pw-${randomBytes(12).toString('hex')}`;
    await provider.passwords.reset(created.id, next);
    assert.equal(await provider.passwords.recover(created.id), next);
    const secrets = (await holder.rig.manager.docker.listSecrets({ filters: { label: [`remote-swarm.instance=${created.id}`] } })) as unknown[];
    assert.equal(secrets.length, 1, 'the old secret is gone');
  });

  it('labels a service for Traefik when routing is configured; the labels read back into its router and service', async () => {
    const traefik = provider;
    provider = holder.rig.provider({ traefik: { domain: 'dev.example.test', entrypoints: ['websecure'], tls: true, certResolver: 'le', network: holder.rig.network, networkLabel: 'swarm' } });
    try {
      const created = await create(config('traefik'));
      const service = await holder.rig.manager.docker.getService(created.metadata.serviceId!).inspect();
      const routing = readTraefikLabels(service.Spec.Labels);
      const name = `remote-swarm-${created.name}`;
      assert.deepEqual(routing, {
        enabled: true,
        routers: { [name]: { rule: `Host(\`${created.name}.dev.example.test\`)`, entryPoints: ['websecure'], tls: { certResolver: 'le' }, service: name } },
        services: { [name]: { servers: [{ port: 8080 }] } },
        network: holder.rig.network,
      });
      assert.equal(created.urls.ide, `https://${created.name}.dev.example.test/`);
    } finally {
      provider = traefik;
    }
  });
});
