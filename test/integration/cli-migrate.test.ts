import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Instance } from '../../src/core/models';
import type { MigrationResult } from '../../src/core/migration/migrationService';
import { containersNamed, removeNamed, runCli, type CliResult } from '../support/cliProcess';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

/**
 * `remote-swarm migrate` as a user runs it, in its own process over its own state directory, on the real engine. Its
 * instances carry no test label (the CLI is the product), so they are named after the run and removed by name.
 */
describe('remote-swarm migrate against the real Docker engine', function () {
  this.timeout(180_000);
  let temp: ReturnType<typeof makeTempDir>;
  const prefix = `rstest-${RUN_ID}-mig-`;
  const cli = (args: readonly string[]): Promise<CliResult> => runCli(temp.path, args);
  /** This test's instances: the CLI also lists what other runs on the shared engine made. */
  const instances = async (): Promise<Instance[]> => (JSON.parse((await cli(['list', '--json'])).stdout) as Instance[]).filter((instance) => instance.name.startsWith(prefix));

  before(async () => {
    await requireDocker();
  });
  beforeEach(() => {
    temp = makeTempDir('remote-swarm-cli-migrate-');
    // Other runs' instances on the shared engine are adopted too, and count against the limit.
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ 'docker.defaultImage': ensureTestImage(), maxInstances: 1000 }));
  });
  afterEach(async () => {
    await removeNamed(prefix);
    temp.remove();
  });

  it('prints the plan and changes nothing without --yes; with --yes moves the instance, its files and its name to a bigger container', async () => {
    const name = `${prefix}move`;
    const created = await cli(['create', name, '--cpus', '0.5', '--memory', '128', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const source = JSON.parse(created.stdout) as Instance;
    const folder = source.config.workspacePath;
    const written = await cli(['exec', name, '--', 'sh', '-c', 'mkdir -p "$1/src" && printf "kept %s" "$2" > "$1/src/notes.txt" && ln -s src/notes.txt "$1/link"', 'sh', folder, RUN_ID]);
    assert.equal(written.code, 0, written.stderr);

    const planned = await cli(['migrate', name, '--to', 'docker', '--cpus', '1', '--memory', '256', '--delete-source']);
    assert.equal(planned.code, 2, 'moving without --yes is refused in a script');
    assert.match(planned.stdout, new RegExp(`Move "${name}" from docker to docker`));
    assert.match(planned.stdout, /Resources: 0\.5 CPU, 128 MB memory, .* → 1 CPU, 256 MB memory/);
    assert.match(planned.stdout, /Strategy: pre-copy/);
    assert.match(planned.stdout, /Afterwards the source is deleted/);
    assert.match(planned.stderr, /--yes/);
    assert.deepEqual((await instances()).map((instance) => [instance.name, instance.id, instance.status]), [[name, source.id, 'running']], 'the plan made nothing');
    assert.deepEqual(await containersNamed(`${name}-moving`), []);

    const moved = await cli(['migrate', name, '--to', 'docker', '--cpus', '1', '--memory', '256', '--delete-source', '--yes', '--json']);
    assert.equal(moved.code, 0, moved.stderr);
    const result = JSON.parse(moved.stdout) as MigrationResult;
    assert.equal(result.instance.name, name);
    assert.notEqual(result.instance.id, source.id);
    assert.equal(result.keptSource, undefined, 'the source is deleted');

    const after = await instances();
    assert.deepEqual(after.map((instance) => [instance.name, instance.id, instance.status]), [[name, result.instance.id, 'running']]);
    assert.equal(after[0]!.config.resources.cpuCores, 1);
    assert.equal(after[0]!.config.resources.memoryMB, 256);
    const read = await cli(['exec', name, '--', 'sh', '-c', 'cat "$1/link"', 'sh', folder]);
    assert.equal(read.stdout, `kept ${RUN_ID}`, 'the workspace came along, symlink included');
    assert.equal((await containersNamed(name)).length, 1, 'only the target\'s container is left');
  });
});
