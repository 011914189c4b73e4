// Benchmark of groups on the real engine. Prints figures; asserts nothing.
//   npm run bench:group -- [--workers 20] [--scale-to 100]
// 1. A group of 1 + --workers busybox members created until every member's /healthz answers, beside two baselines in
//    the same run: the same number of `docker run` one by one plus the same polling, and the engine's parallel floor
//    (the same containers, volumes and loopback ports created and started through the API 8 at a time, then polled).
// 2. That group scaled to --scale-to workers: the time, this process's memory, a tree refresh (reconcile) and one
//    health sweep over every member.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { mapConcurrently } from '../../src/core/concurrency';
import { makeCore } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, TEST_LABELS, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID, RUN_LABEL } from '../support/testRun';
import { numberOption, waitUntilAnswers } from './benchKit';

const run = promisify(execFile);
const workers = numberOption('workers', 20);
const scaleTo = numberOption('scale-to', 100);
const members = workers + 1;
const LIMITS = { NanoCpus: 250_000_000, Memory: 128 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024 };
const labelArgs = Object.entries(TEST_LABELS).flatMap(([key, value]) => ['--label', `${key}=${value}`]);

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function hostPort(docker: Docker, id: string): Promise<string> {
  const info = await docker.getContainer(id).inspect();
  const binding = info.NetworkSettings.Ports['8080/tcp']?.[0];
  if (!binding) throw new Error(`container ${id} published no port`);
  return `http://127.0.0.1:${binding.HostPort}/`;
}

async function oneByOne(image: string): Promise<number> {
  return timed(async () => {
    const urls: string[] = [];
    for (let index = 0; index < members; index++) {
      const name = `rsbench-${RUN_ID}-seq-${index}`;
      const { stdout } = await run('docker', [
        'run', '-d', '--name', name, ...labelArgs, '--cpus', '0.25', '--memory', '128m', '--memory-swap', '128m',
        '--mount', `type=volume,source=${name},target=/workspace,volume-label=${RUN_LABEL}=${RUN_ID}`,
        '-p', '127.0.0.1::8080', image,
      ]);
      urls.push(await hostPort(new Docker(), stdout.trim()));
    }
    await Promise.all(urls.map((url) => waitUntilAnswers(url)));
  });
}

/** With `network`, the containers join it under two aliases each, as a group's members do; the network is made in the time. */
async function parallelFloor(docker: Docker, image: string, network?: string): Promise<number> {
  return timed(async () => {
    if (network) await docker.createNetwork({ Name: network, Driver: 'bridge', Labels: { ...TEST_LABELS } });
    const urls = await mapConcurrently(Array.from({ length: members }, (_, index) => `rsbench-${RUN_ID}-par-${index}`), 8, async (name) => {
      await docker.createVolume({ Name: name, Labels: { ...TEST_LABELS } });
      const container = await docker.createContainer({
        name,
        Image: image,
        Labels: { ...TEST_LABELS },
        ExposedPorts: { '8080/tcp': {} },
        HostConfig: {
          ...LIMITS,
          Mounts: [{ Type: 'volume', Source: name, Target: '/workspace' }],
          PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
          ...(network ? { NetworkMode: network } : {}),
        },
        ...(network ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [name, 'workers'] } } } } : {}),
      });
      await container.start();
      return hostPort(docker, container.id);
    });
    await Promise.all(urls.map((url) => waitUntilAnswers(url)));
  });
}

async function main(): Promise<void> {
  await requireDocker();
  const image = ensureTestImage();
  const docker = new Docker();
  const temp = makeTempDir('remote-swarm-group-bench-');
  const core = await makeCore(temp.path, { docker: () => testProvider() });
  core.settings.defaultImage = image;
  core.settings.maxInstances = scaleTo + 10;
  const group = `b${RUN_ID}`;
  try {
    const sequential = await oneByOne(image);
    await removeTestResources(docker);
    const bridgeFloor = await parallelFloor(docker, image);
    await removeTestResources(docker);
    const floor = await parallelFloor(docker, image, `rsbench-${RUN_ID}-net`);
    await removeTestResources(docker);

    const overrides = { resources: { cpuCores: 0.25, memoryMB: 128 }, workspacePath: '/workspace' };
    const created = await timed(async () => {
      const made = await core.swarm.groups.create({ name: group, provider: 'docker', workers, overrides });
      await Promise.all(made.members.map((member) => waitUntilAnswers(member.urls.ide!)));
    });
    console.log(`Create a group of 1 + ${workers} members until all answer (network and aliases included):`);
    console.log(`  ${members} docker run, one by one     ${seconds(sequential)}`);
    console.log(`  parallel floor (API, 8 at a time) ${seconds(bridgeFloor)} on the default bridge, ${seconds(floor)} on a network with aliases`);
    console.log(`  Create Group                      ${seconds(created)}  (${(created / floor).toFixed(2)}x the floor on a network; target 1.15x)`);

    const rssBefore = process.memoryUsage().rss;
    const scaled = await timed(async () => {
      await core.swarm.groups.scale(group, scaleTo);
    });
    const rssAfter = process.memoryUsage().rss;
    const refresh = await timed(async () => {
      await core.controller.reconcile(['docker']);
    });
    let checked = 0;
    const sweep = await timed(async () => {
      checked = (await core.swarm.health.sweep()).length;
    });
    console.log(`Scale to ${scaleTo} workers (${scaleTo + 1} members): ${seconds(scaled)}; this process's RSS ${megabytes(rssBefore)} → ${megabytes(rssAfter)}, heap ${megabytes(process.memoryUsage().heapUsed)}`);
    console.log(`  tree refresh (reconcile)          ${refresh.toFixed(0)} ms`);
    console.log(`  one health sweep (${checked} members)   ${sweep.toFixed(0)} ms`);
  } finally {
    core.dispose();
    temp.remove();
    await removeTestResources(docker);
  }
}

void main();
