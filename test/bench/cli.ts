// `remote-swarm list --json` with N instances, cold start to exit, beside `docker ps` in the same run.
// Usage: npm run build:prod && npx tsx test/bench/cli.ts [--instances 100] [--runs 7]
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { mapConcurrently } from '../../src/core/concurrency';
import { openSwarm } from '../../src/cli/cliSwarm';
import { stateDirectory } from '../../src/cli/stateDirectory';
import { ensureTestImage } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';
import { median, numberOption } from './benchKit';

const instances = numberOption('instances', 100);
const runs = numberOption('runs', 7);
const root = join(__dirname, '..', '..');
const prefix = `rsbench-${RUN_ID}-`;

function timeMs(command: string, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return elapsed;
}

async function main(): Promise<void> {
  const temp = makeTempDir('remote-swarm-cli-bench-');
  const env = { ...process.env, REMOTE_SWARM_STATE_DIR: temp.path };
  const directory = stateDirectory(env);
  writeFileSync(directory.settingsFile, JSON.stringify({ 'docker.defaultImage': ensureTestImage(), maxInstances: instances + 10 }));
  const docker = new Docker();
  try {
    const { swarm } = await openSwarm(directory);
    await mapConcurrently(Array.from({ length: instances }, (_, index) => `${prefix}${index}`), 8, (name) =>
      swarm.controller.create({ provider: 'docker', name, template: 'development', overrides: { resources: { cpuCores: 0.25, memoryMB: 128 } } }),
    );
    swarm.dispose();
    const cli = join(root, 'dist', 'cli.js');
    // The state folder is new, so its code cache is empty: this run is the first after an install or upgrade.
    const firstRun = timeMs(process.execPath, [cli, 'list', '--json'], env);
    const listed = JSON.parse(execFileSync(process.execPath, [cli, 'list', '--json'], { env, encoding: 'utf8' })) as unknown[];
    const cliTimes: number[] = [];
    const dockerTimes: number[] = [];
    const nodeTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      cliTimes.push(timeMs(process.execPath, [cli, 'list', '--json'], env));
      dockerTimes.push(timeMs('docker', ['ps', '-a', '--format', '{{json .}}'], env));
      nodeTimes.push(timeMs(process.execPath, ['-e', '0'], env));
    }
    const summary = (times: number[]): string => `median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`;
    const cliMedian = median(cliTimes);
    const dockerMedian = median(dockerTimes);
    console.log(`${instances} instances registered (list shows ${listed.length}, every labelled container on the engine); ${runs} runs, fresh process each`);
    console.log(`remote-swarm list --json   ${summary(cliTimes)}; first run, code cache empty: ${firstRun.toFixed(0)} ms`);
    console.log(`docker ps -a               ${summary(dockerTimes)}`);
    console.log(`node -e 0 (Node's floor)   ${summary(nodeTimes)}`);
    console.log(`ratio ${(cliMedian / dockerMedian).toFixed(2)} (target: under 150 ms and within 2x of docker ps)`);
  } finally {
    const containers = await docker.listContainers({ all: true, filters: { name: [`remote-swarm-${prefix}`] } });
    await mapConcurrently(containers, 8, (container) => docker.getContainer(container.Id).remove({ force: true }));
    const { Volumes } = await docker.listVolumes({ filters: { name: [`remote-swarm-${prefix}`] } });
    await mapConcurrently(Volumes ?? [], 8, (volume) => docker.getVolume(volume.Name).remove());
    temp.remove();
  }
}

void main();
