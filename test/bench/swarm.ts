// Benchmark of the Swarm provider on the real three-node rig (test/setup/swarm-rig.sh). Prints figures; asserts nothing.
//   npm run bench:swarm -- [--instances 50] [--parallel 8]
// 1. --instances busybox instances created through the core as services, --parallel at a time, until every one's
//    /healthz answers on its node's published port: the time, and the manager API calls it took.
// 2. One tree refresh (reconcile) and one health sweep over all of them: the time and the API calls of each.
import { mapConcurrently } from '../../src/core/concurrency';
import type { Instance } from '../../src/core/models';
import { makeCore } from '../support/coreHarness';
import { startSwarmRig } from '../support/swarmTestRig';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';
import { countingDocker } from '../support/countingDocker';
import { numberOption, waitUntilAnswers } from './benchKit';

const instances = numberOption('instances', 50);
const parallel = numberOption('parallel', 8);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  const rigStart = await timed(() => startSwarmRig(3));
  const rig = rigStart.value;
  console.log(`Three-node swarm rig up in ${(rigStart.ms / 1000).toFixed(2)} s (daemons, swarm init and join, test image in every node)`);
  const counter = countingDocker({ socketPath: rig.manager.engine.slice('unix://'.length) });
  const provider = rig.provider({ docker: counter.docker });
  const temp = makeTempDir('remote-swarm-bench-swarm-');
  const core = await makeCore(temp.path, { swarm: () => provider });
  core.settings.maxInstances = instances;
  let made: Instance[] = [];
  try {
    await provider.initialize();
    const overrides = { image: rig.image, workspacePath: '/workspace', resources: { cpuCores: 0.25, memoryMB: 128 }, ports: [{ container: 8080, purpose: 'ide' as const }] };
    counter.reset();
    const created = await timed(async () => {
      made = await mapConcurrently(
        Array.from({ length: instances }, (_, index) => `rsb-${RUN_ID}-${index}`),
        parallel,
        // Swarm publishes the IDE port on every address of the node: the core creates it only with consent.
        (name) => core.controller.create({ provider: 'swarm', name, overrides, allowNetworkExposure: true }),
      );
      await Promise.all(made.map((instance) => waitUntilAnswers(instance.urls.ide!, 60_000)));
    });
    const perNode = new Map<string, number>();
    for (const instance of await provider.listInstances()) perNode.set(instance.metadata.node ?? '?', (perNode.get(instance.metadata.node ?? '?') ?? 0) + 1);
    console.log(`${instances} instances as services, ${parallel} at a time, until every /healthz answers: ${(created.ms / 1000).toFixed(2)} s, ${counter.calls()} manager API calls`);
    console.log(`  spread: ${[...perNode].sort().map(([node, count]) => `${node} ${count}`).join(', ')}`);

    counter.reset();
    const refresh = await timed(() => core.controller.reconcile(['swarm']));
    console.log(`  one refresh (reconcile of ${instances}): ${refresh.ms.toFixed(0)} ms, ${counter.calls()} API calls`);
    counter.reset();
    const sweep = await timed(() => core.swarm.health.sweep());
    console.log(`  one health sweep (${sweep.value.length} instances, /healthz and stats on each node's engine): ${sweep.ms.toFixed(0)} ms, ${counter.calls()} manager API calls`);
  } finally {
    core.dispose();
    temp.remove();
    const removed = await timed(() => mapConcurrently(made, parallel, (instance) => provider.deleteInstance(instance.id, { keepWorkspace: false }).catch(() => undefined)));
    console.log(`  deleting them (${parallel} at a time): ${(removed.ms / 1000).toFixed(2)} s`);
    const left = await rig.leftovers();
    if (left.length > 0) console.log(`  left behind: ${left.join(', ')}`);
    await rig.stop();
  }
}

void main();
