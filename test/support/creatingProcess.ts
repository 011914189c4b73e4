/**
 * A window that creates one Docker instance and freezes in the middle, to be killed there as a window is when it
 * reloads: the core over a shared state folder, coordinated through it, as the extension makes it. Run with
 * `node --import tsx`, arguments: the state folder, the test run's id (whose labels its provider gives), the engine
 * (unix://…), the image, the instance's name, and the start of the progress message at which it freezes. Prints one
 * JSON line per progress message; after the one it freezes at it runs nothing more until it is killed.
 */
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import { silentLogger } from '../../src/core/logger';
import { DockerProvider } from '../../src/providers/docker/dockerProvider';
import { makeCore } from './coreHarness';
import { TEST_LABEL } from './dockerTestEnv';
import { RUN_LABEL } from './testRun';

export interface CreatingProcessEvent {
  progress: string;
  /** The id of the instance being created, as its registry entry has it. */
  instance: string;
}

async function main(): Promise<void> {
  const [stateDir, runId, engine, image, name, freezeAt] = process.argv.slice(2);
  if (!stateDir || !runId || !engine || !image || !name || !freezeAt) throw new Error('usage: creatingProcess.ts <state folder> <test run id> <engine> <image> <name> <progress to freeze at>');
  const provider = new DockerProvider({ host: engine, stopTimeoutSeconds: 2, extraLabels: { [TEST_LABEL]: '1', [RUN_LABEL]: runId } });
  const core = await makeCore(stateDir, { docker: () => provider }, { coordination: new FileCoordination(stateDir, { log: silentLogger }) });
  core.settings.defaultImage = image;
  await core.controller.create(
    { provider: 'docker', name },
    {
      onProgress: (progress) => {
        const instance = core.registry.findByName(name)?.id ?? '';
        process.stdout.write(`${JSON.stringify({ progress, instance } satisfies CreatingProcessEvent)}\n`);
        // Frozen in the middle of the create, as a window is the moment it reloads: nothing after this runs.
        if (progress.startsWith(freezeAt)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      },
    },
  );
  throw new Error(`The create finished without reporting "${freezeAt}"`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
