/**
 * One process of a user that monitors, as a VS Code window does: the core over a shared state folder, coordinated
 * through it, checking Docker test instances every second. Run with `node --import tsx`, arguments: the state folder
 * and the test run's id (whose label its Docker provider sees). Prints one JSON line per event on stdout; SIGTERM
 * closes it as a window closes (the lease given up).
 */
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import { probeHttp } from '../../src/core/health/httpProbe';
import { silentLogger } from '../../src/core/logger';
import { DockerProvider } from '../../src/providers/docker/dockerProvider';
import { makeCore } from './coreHarness';
import { TEST_LABEL } from './dockerTestEnv';
import { RUN_LABEL } from './testRun';

export type MonitoringProcessEvent =
  | { event: 'ready'; leading: boolean }
  | { event: 'leading'; leading: boolean; at: number }
  | { event: 'probe'; at: number }
  | { event: 'restart'; instance: string }
  | { event: 'health'; health: string[]; recoveryAttempts: number };

const emit = (event: MonitoringProcessEvent) => process.stdout.write(`${JSON.stringify(event)}\n`);

async function main(): Promise<void> {
  const [stateDir, runId] = process.argv.slice(2);
  if (!stateDir || !runId) throw new Error('usage: monitoringProcess.ts <state folder> <test run id>');
  const provider = new DockerProvider({ stopTimeoutSeconds: 2, extraLabels: { [TEST_LABEL]: '1', [RUN_LABEL]: runId } });
  const coordination = new FileCoordination(stateDir, { log: silentLogger });
  const core = await makeCore(stateDir, { docker: () => provider }, {
    coordination,
    probe: (url, timeoutMs) => {
      emit({ event: 'probe', at: Date.now() });
      return probeHttp(url, timeoutMs);
    },
  });
  core.otherSettings.health = { interval: 1, timeout: 2, failureThreshold: 2, successThreshold: 1, recoveryBackoff: 0 };
  const { swarm } = core;
  swarm.coordination.onDidChangeLeadership((leading) => emit({ event: 'leading', leading, at: Date.now() }));
  swarm.controller.onOperation(({ operation, instance, phase }) => operation === 'restart' && phase === 'succeeded' && emit({ event: 'restart', instance }));
  swarm.health.onDidChange(() => {
    const instances = swarm.controller.list();
    const recoveryAttempts = instances.reduce((sum, instance) => sum + (swarm.health.recordOf(instance.id)?.recoveryAttempts.length ?? 0), 0);
    emit({ event: 'health', health: instances.map((instance) => swarm.health.statusOf(instance.id)), recoveryAttempts });
  });
  swarm.startMonitoring();
  emit({ event: 'ready', leading: swarm.coordination.leading });
  process.once('SIGTERM', () => {
    core.dispose();
    process.exit(0);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
