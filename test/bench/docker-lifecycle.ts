// Benchmark of the Docker provider against the real engine. Prints figures; asserts nothing.
//   npx tsx test/bench/docker-lifecycle.ts [--runs 5] [--instances 200] [--containers 100]
// 1. create-to-URL-answers: DockerProvider.createInstance + GET /healthz polling, against `docker run` + the same
//    polling for an equivalent container (same image, limits, volume, loopback port), median of --runs each.
// 2. a full tree refresh (reconcile + listing) with --instances registered of which --containers are real containers,
//    with the number of Docker API calls it made.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { instanceConfigSchema, type Instance } from '../../src/core/models';
import { configFromTemplate, BUILTIN_TEMPLATES } from '../../src/core/templates';
import { makeCore } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, RUN_LABEL_FILTER, TEST_LABEL, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { countingDocker } from '../support/countingDocker';
import { median, numberOption, waitUntilAnswers } from './benchKit';

const run = promisify(execFile);

async function benchCreateToUrl(image: string, runs: number): Promise<void> {
  const provider = testProvider();
  const config = instanceConfigSchema.parse(configFromTemplate(BUILTIN_TEMPLATES[0], { name: 'bench' }, { image }));
  const providerMs: number[] = [];
  const dockerRunMs: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const name = `bench-${i}`;
    let started = performance.now();
    const created = await provider.createInstance({ id: `bench${i}`, config: { ...config, name }, password: 'bench-password' });
    await waitUntilAnswers(created.urls.ide!);
    providerMs.push(performance.now() - started);

    started = performance.now();
    const { stdout } = await run('docker', [
      'run', '-d', '--name', `plain-${name}`, '--label', `${TEST_LABEL}=1`, '--label', RUN_LABEL_FILTER,
      '--cpus', String(config.resources.cpuCores), '--memory', `${config.resources.memoryMB}m`,
      '--mount', `type=volume,source=plain-${name},target=${config.workspacePath},volume-label=${TEST_LABEL}=1,volume-label=${RUN_LABEL_FILTER}`,
      '-e', 'PASSWORD=bench-password', '-p', '127.0.0.1::8080', image,
    ]);
    const { stdout: port } = await run('docker', ['port', stdout.trim(), '8080/tcp']);
    await waitUntilAnswers(`http://${port.trim().split('\n')[0]}/`);
    dockerRunMs.push(performance.now() - started);
  }
  const ratio = median(providerMs) / median(dockerRunMs);
  console.log(`create-to-URL-answers, median of ${runs}:`);
  console.log(`  DockerProvider.createInstance + poll: ${median(providerMs).toFixed(0)} ms  (runs: ${providerMs.map((ms) => ms.toFixed(0)).join(', ')})`);
  console.log(`  docker run + poll (baseline):         ${median(dockerRunMs).toFixed(0)} ms  (runs: ${dockerRunMs.map((ms) => ms.toFixed(0)).join(', ')})`);
  console.log(`  ratio provider / docker run:          ${ratio.toFixed(2)}`);
}

async function benchRefresh(image: string, registered: number, real: number): Promise<void> {
  const temp = makeTempDir();
  const counter = countingDocker();
  const core = await makeCore(temp.path, { docker: () => testProvider({ docker: counter.docker }) });
  core.settings.defaultImage = image;
  core.settings.maxInstances = registered;
  try {
    const names = Array.from({ length: real }, (_, i) => `tree-${i}`);
    for (let i = 0; i < names.length; i += 8) {
      await Promise.all(names.slice(i, i + 8).map((name) => core.controller.create({ provider: 'docker', name })));
    }
    const template: Instance = core.controller.get('tree-0');
    for (let i = real; i < registered; i += 1) {
      await core.registry.add({ ...template, id: `ghost${i}`, name: `ghost-${i}`, config: { ...template.config, name: `ghost-${i}` }, status: 'stopped' });
    }

    const refresh = async () => {
      await core.controller.reconcile(['docker']);
      return core.controller.list().length;
    };
    counter.reset();
    let started = performance.now();
    const shown = await refresh();
    const firstMs = performance.now() - started;
    const firstCalls = counter.calls();

    const steadyMs: number[] = [];
    const steadyCalls: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      counter.reset();
      started = performance.now();
      await refresh();
      steadyMs.push(performance.now() - started);
      steadyCalls.push(counter.calls());
    }
    console.log(`tree refresh with ${registered} registered instances, ${real} of them real containers (${shown} shown):`);
    console.log(`  first refresh (marks ${registered - real} missing): ${firstMs.toFixed(1)} ms, ${firstCalls} Docker API call(s)`);
    console.log(`  steady refresh, median of 5:          ${median(steadyMs).toFixed(1)} ms, ${median(steadyCalls)} Docker API call(s)`);
    const listMs: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      started = performance.now();
      await counter.docker.listContainers({ all: true, filters: { label: [RUN_LABEL_FILTER] } });
      listMs.push(performance.now() - started);
    }
    console.log(`  the engine's list call alone, median of 5: ${median(listMs).toFixed(1)} ms`);
  } finally {
    core.dispose();
    temp.remove();
  }
}

async function main(): Promise<void> {
  await requireDocker();
  const image = ensureTestImage();
  try {
    await benchCreateToUrl(image, numberOption('runs', 5));
    await removeTestResources();
    await benchRefresh(image, numberOption('instances', 200), numberOption('containers', 100));
  } finally {
    await removeTestResources();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
