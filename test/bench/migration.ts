// Benchmark of migration between providers on the real engine and a real sshd. Prints figures; asserts nothing.
//   npm run bench:migration -- [--small-files 20000] [--small-kib 10] [--large-files 4] [--large-mib 200]
// The source workspace (default ≈1 GB: 20,000 files of 10 KiB and 4 files of 200 MiB) is generated inside each Docker
// source instance with its own shell. Each case starts from a fresh, running source:
//   - the floor, on the same source just before its stop-and-copy case (the machine's load drifts over the run):
//     `docker cp src:/workspace/. - | docker cp - dst:/workspace` (Docker → Docker) and
//     `docker cp src:/workspace/. - | ssh host tar -x` (Docker → SSH host), the bytes moved once with nothing checked;
//   - swarm.migrations with stop-and-copy and with pre-copy: total time, the copy passes alone, where the time went
//     (each phase), and the time the instance was unavailable (from the source's stop to the target taking its name),
//     verification included, and this process's CPU time (what the copy costs here, whatever the machine's load).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Instance } from '../../src/core/models';
import type { MigrationRequest } from '../../src/core/migration/migrationPlan';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeSshRig, type SshRig } from '../support/sshTestRig';
import { RUN_ID } from '../support/testRun';
import { numberOption } from './benchKit';

const WORKSPACE = '/workspace';

const FILL = `set -e
cd "$1"
i=0; while [ $i -lt "$4" ]; do dd if=/dev/urandom of=large-$i.bin bs=1048576 count="$5" 2>/dev/null; i=$((i+1)); done
mkdir small; d=0; n=0
while [ $n -lt "$2" ]; do mkdir -p small/d$d; j=0
  while [ $j -lt 100 ] && [ $n -lt "$2" ]; do head -c $(( $3 * 1024 )) /dev/urandom > small/d$d/f$j; j=$((j+1)); n=$((n+1)); done
  d=$((d+1)); done
du -sk . | cut -f1`;

async function main(): Promise<void> {
  const smallFiles = numberOption('small-files', 20_000);
  const smallKiB = numberOption('small-kib', 10);
  const largeFiles = numberOption('large-files', 4);
  const largeMiB = numberOption('large-mib', 200);
  await requireDocker();
  const image = ensureTestImage();
  const docker = new Docker();
  const rig: SshRig = await makeSshRig();
  const core: CoreHarness = await makeCore(join(rig.home, 'state'), { docker: () => testProvider(), ssh: () => rig.provider() });
  let counter = 0;
  let workspaceMiB = 0;
  const rate = (ms: number) => `${(workspaceMiB / (ms / 1000)).toFixed(0)} MiB/s`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

  const source = async (): Promise<Instance> => {
    const instance = await core.controller.create({ provider: 'docker', name: `bench-${RUN_ID}-${++counter}`, overrides: { image, workspacePath: WORKSPACE, resources: { cpuCores: 1, memoryMB: 256, storageGB: 2 } } });
    const filled = await core.controller.exec(instance.id, ['sh', '-c', FILL, 'fill', WORKSPACE, String(smallFiles), String(smallKiB), String(largeFiles), String(largeMiB)]);
    if (filled.exitCode !== 0) throw new Error(filled.stderr);
    workspaceMiB = Number(filled.stdout.trim()) / 1024;
    return instance;
  };
  const container = (instance: Instance) => `remote-swarm-${instance.name}`;
  // What the step before left for the disk to write (a gigabyte) is written first, so no case pays for another's.
  const settle = () => spawnSync('sync');
  const timed = (argv: string): number => {
    settle();
    const started = Date.now();
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.status !== 0) throw new Error(`${argv}: ${result.stderr.toString()}`);
    return Date.now() - started;
  };
  /** Runs a move and prints where its time went: each phase (and pass) from its first report to the next one's. */
  const migrate = async (request: MigrationRequest) => {
    settle();
    const started = Date.now();
    const cpu = process.cpuUsage();
    const phases: { label: string; at: number }[] = [];
    const result = await core.swarm.migrations.migrate(core.swarm.migrations.plan(request), {
      onProgress: ({ phase, round }) => {
        const label = round === undefined ? phase : `${phase} ${round}`;
        if (phases[phases.length - 1]?.label !== label) phases.push({ label, at: Date.now() });
      },
    });
    const ended = Date.now();
    const { user, system } = process.cpuUsage(cpu);
    const lasting = phases.map(({ label, at }, index) => ({ label, ms: (phases[index + 1]?.at ?? ended) - at }));
    console.log(`        phases: ${lasting.map(({ label, ms }) => `${label} ${seconds(ms)}`).join(', ')}; this process's CPU ${seconds((user + system) / 1000)}`);
    // The passes alone, as the floor is the bytes moved once: no target to make, nothing verified, no source to delete.
    const copyMs = lasting.filter(({ label }) => label.startsWith('copying') || label.startsWith('final-copy')).reduce((sum, { ms }) => sum + ms, 0);
    return { ...result, wallMs: ended - started, copyMs };
  };
  const sshTarget = (folder: string) => ({ options: rig.hostConfig('bench').options, workspacePath: join(rig.sshd.home, folder) });

  try {
    const sshBase = ['ssh', '-i', rig.sshd.userKeyFile, '-p', String(rig.sshd.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${rig.sshd.user}@${rig.sshd.host}`].join(' ');
    const first = await source();
    console.log(`workspace: ${smallFiles} files of ${smallKiB} KiB + ${largeFiles} files of ${largeMiB} MiB = ${workspaceMiB.toFixed(0)} MiB (du), generated inside the source`);

    const floorTarget = await core.controller.create({ provider: 'docker', name: `bench-${RUN_ID}-floor`, overrides: { image, workspacePath: WORKSPACE, resources: { cpuCores: 1, memoryMB: 256, storageGB: 2 } } });
    const dockerCp = timed(`docker cp ${container(first)}:${WORKSPACE}/. - | docker cp - ${container(floorTarget)}:${WORKSPACE}`);
    console.log(`floor  docker cp | docker cp (Docker → Docker):           ${seconds(dockerCp)} (${rate(dockerCp)})`);
    await core.controller.delete(floorTarget.id, { keepWorkspace: false });

    const d2dStop = await migrate({ instance: first.name, to: 'docker', strategy: 'stop-and-copy', keepSourceHours: 0 });
    console.log(`migrate Docker → Docker, stop-and-copy: total ${seconds(d2dStop.wallMs)} (${rate(d2dStop.wallMs)}, ${(dockerCp / d2dStop.wallMs).toFixed(2)} of the floor's throughput), unavailable ${seconds(d2dStop.unavailableMs)}; the copy alone ${seconds(d2dStop.copyMs)} (${(dockerCp / d2dStop.copyMs).toFixed(2)} of the floor's)`);
    await core.controller.delete(d2dStop.instance.id, { keepWorkspace: false });

    const second = await source();
    const d2dPre = await migrate({ instance: second.name, to: 'docker', strategy: 'pre-copy', keepSourceHours: 0 });
    console.log(`migrate Docker → Docker, pre-copy:      total ${seconds(d2dPre.wallMs)} in ${d2dPre.rounds} passes, unavailable ${seconds(d2dPre.unavailableMs)}`);
    await core.controller.delete(d2dPre.instance.id, { keepWorkspace: false });

    const third = await source();
    const d2sPre = await migrate({ instance: third.name, to: 'ssh', strategy: 'pre-copy', keepSourceHours: 0, overrides: sshTarget('moved-pre') });
    console.log(`migrate Docker → SSH host, pre-copy:    total ${seconds(d2sPre.wallMs)} in ${d2sPre.rounds} passes, unavailable ${seconds(d2sPre.unavailableMs)}`);
    await core.controller.delete(d2sPre.instance.id, { keepWorkspace: false });

    const fourth = await source();
    const tarSsh = timed(`docker cp ${container(fourth)}:${WORKSPACE}/. - | ${sshBase} 'mkdir -p ~/floor && tar -x -f - -C ~/floor'`);
    console.log(`floor  docker cp | ssh tar -x (Docker → SSH host):       ${seconds(tarSsh)} (${rate(tarSsh)})`);
    const d2sStop = await migrate({ instance: fourth.name, to: 'ssh', strategy: 'stop-and-copy', keepSourceHours: 0, overrides: sshTarget('moved-stop') });
    console.log(`migrate Docker → SSH host, stop-and-copy: total ${seconds(d2sStop.wallMs)} (${rate(d2sStop.wallMs)}, ${(tarSsh / d2sStop.wallMs).toFixed(2)} of the floor's throughput); the copy alone ${seconds(d2sStop.copyMs)} (${(tarSsh / d2sStop.copyMs).toFixed(2)} of the floor's)`);
  } finally {
    core.dispose();
    await removeTestResources(docker);
    await rig.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

