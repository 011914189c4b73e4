import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { GroupSummary } from '../../src/core/groups/groupSummary';
import type { Instance } from '../../src/core/models';
import { containersNamed, removeNamed, runCli, spawnCli, type CliResult } from '../support/cliProcess';
import { pollUntil } from '../e2e/harness/poll';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

interface ExecJson {
  member: string;
  role: string;
  exitCode?: number;
  stdout?: string;
  error?: string;
}

/** `remote-swarm group …` end to end on the real engine, as a user runs it: its own process, its own state directory. */
describe('remote-swarm group commands against the real Docker engine', function () {
  this.timeout(180_000);
  let temp: ReturnType<typeof makeTempDir>;
  // Group names leave room for "-worker-N" in their members' names (24 characters at most).
  const prefix = `rstest-${RUN_ID}-g`;
  const cli = (args: readonly string[]): Promise<CliResult> => runCli(temp.path, args);
  const showJson = async (group: string) => JSON.parse((await cli(['group', 'show', group, '--json'])).stdout) as GroupSummary;

  before(async () => {
    await requireDocker();
  });
  beforeEach(() => {
    temp = makeTempDir('remote-swarm-cli-groups-');
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ 'docker.defaultImage': ensureTestImage(), maxInstances: 20 }));
  });
  afterEach(async () => {
    await removeNamed(prefix);
    temp.remove();
  });

  it('creates a coordinator and 2 workers, lists and shows them, runs hostname on all, scales to 1 and deletes', async () => {
    const group = `${prefix}1`;
    const created = await cli(['group', 'create', group, '--workers', '2']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, new RegExp(`^Group ${group} on docker, network group-${group}: a development coordinator and 2 agent workers\n`));
    assert.match(created.stdout, new RegExp(`${group}-coordinator +coordinator +development\n${group}-worker-1 +worker-1 +agent\n${group}-worker-2 +worker-2 +agent\n`), 'the plan, before it is made');
    assert.match(created.stdout, new RegExp(`${group}: 3 of 3 members running, 2 workers \\(running\\)\n$`));

    const listed = await cli(['group', 'list']);
    assert.match(listed.stdout, /^NAME +PROVIDER +RUNNING +STATUS\n/);
    assert.match(listed.stdout, new RegExp(`\n${group} +docker +3/3 +running\n`));
    const listedJson = (JSON.parse((await cli(['group', 'list', '--json'])).stdout) as GroupSummary[]).find((g) => g.name === group);
    assert.deepEqual({ ...listedJson, members: undefined }, { name: group, provider: 'docker', network: `group-${group}`, status: 'running', running: 3, total: 3, workerTemplate: 'agent', members: undefined });

    const shown = await showJson(group);
    assert.deepEqual(shown.members.map((m) => [m.name, m.role, m.status]), [
      [`${group}-coordinator`, 'coordinator', 'running'],
      [`${group}-worker-1`, 'worker-1', 'running'],
      [`${group}-worker-2`, 'worker-2', 'running'],
    ]);
    for (const member of shown.members) assert.match(member.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match((await cli(['group', 'show', group])).stdout, new RegExp(`^${group} on docker, network group-${group}: 3 of 3 members running \\(running\\)\nMEMBER +ROLE +STATUS +URL`));

    const hostnames = await cli(['group', 'exec', group, '--', 'hostname']);
    assert.equal(hostnames.code, 0, hostnames.stderr);
    const rows = hostnames.stdout.trimEnd().split('\n');
    assert.match(rows[0]!, /^MEMBER +ROLE +EXIT +OUTPUT$/);
    const answers = rows.slice(1).map((row) => row.split(/ +/));
    assert.deepEqual(answers.map(([member, role, exit]) => [member, role, exit]), shown.members.map((m) => [m.name, m.role, '0']));
    assert.equal(new Set(answers.map((answer) => answer[3])).size, 3, 'each member answers with its own host name');

    const oneFails = await cli(['group', 'exec', '--json', group, '--', 'sh', '-c', 'echo "$REMOTE_SWARM_ROLE"; [ "$REMOTE_SWARM_ROLE" != worker-2 ]']);
    assert.equal(oneFails.code, 1, 'not every member exited 0');
    assert.deepEqual((JSON.parse(oneFails.stdout) as ExecJson[]).map((r) => [r.role, r.exitCode, r.stdout]), [
      ['coordinator', 0, 'coordinator\n'],
      ['worker-1', 0, 'worker-1\n'],
      ['worker-2', 1, 'worker-2\n'],
    ]);

    const scaled = await cli(['group', 'scale', group, '1']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal(scaled.stdout, `${group}: 2 of 2 members running, 1 worker (running)\n`);
    assert.deepEqual((await showJson(group)).members.map((m) => m.role), ['coordinator', 'worker-1']);
    assert.deepEqual(await containersNamed(`${group}-worker-2`), []);

    const refused = await cli(['group', 'delete', group]);
    assert.equal(refused.code, 2, 'delete without --yes is refused in a script');
    assert.match(refused.stderr, /needs --yes/);
    assert.equal((await showJson(group)).total, 2, 'nothing was deleted');

    const deleted = await cli(['group', 'destroy', group, '--yes']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `${group} deleted (2 members)\n`);
    const gone = await cli(['group', 'show', group]);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, new RegExp(`There is no group "${group}".*\n  fix: list the instances afresh: remote-swarm list`, 's'));
    assert.deepEqual(await containersNamed(group), []);
    assert.deepEqual(await networksNamed(group), []);
  });

  it('Ctrl+C while a group is made exits 130 and leaves no member and no network', async () => {
    const group = `${prefix}2`;
    const creating = spawnCli(temp.path, ['group', 'create', group, '--workers', '10']);
    let stderr = '';
    creating.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => creating.once('exit', resolve));
    await pollUntil(async () => ((await containersNamed(group)).length > 0 ? true : undefined), { what: 'a first member of the group', timeoutMs: 60_000, intervalMs: 50 });
    creating.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /cancelling, removing what was made/);
    assert.deepEqual(await containersNamed(group), []);
    assert.deepEqual(await networksNamed(group), []);
    const { stdout } = await cli(['list', '--json', '--cached']);
    assert.deepEqual((JSON.parse(stdout) as Instance[]).map((instance) => instance.name), [], 'and no instance is left registered');
  });

  it('refuses bad input naming the field and the fix, and creates nothing', async () => {
    const group = `${prefix}3`;
    const badName = await cli(['group', 'create', 'Bad_Name']);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /name must be lower-case letters/);

    const tooMany = await cli(['group', 'create', group, '--workers', '25']);
    assert.equal(tooMany.code, 4);
    assert.match(tooMany.stderr, /over the limit of 20.*\n {2}fix: set "maxInstances" in .*settings\.json/s);

    const badTemplate = await cli(['group', 'create', group, '--template', 'no-such']);
    assert.equal(badTemplate.code, 2);
    assert.match(badTemplate.stderr, /template: "no-such" is not a known group template; use one of: agent-swarm/);

    const badCount = await cli(['group', 'scale', group, 'many']);
    assert.equal(badCount.code, 2);
    assert.match(badCount.stderr, /workers: "many" is not a number/);

    const templates = JSON.parse((await cli(['group', 'templates', '--json'])).stdout) as { name: string; coordinator: string; worker: string; workers: number }[];
    assert.deepEqual(templates.find((t) => t.name === 'agent-swarm'), { name: 'agent-swarm', description: 'A development coordinator and 4 agent workers on a private network', coordinator: 'development', worker: 'agent', workers: 4 });
    assert.deepEqual(await containersNamed(group), []);
    assert.deepEqual(await networksNamed(group), []);
  });
});

async function networksNamed(group: string): Promise<string[]> {
  return (await new Docker().listNetworks({ filters: { name: [`remote-swarm-group-${group}`] } })).map((network) => network.Name);
}
