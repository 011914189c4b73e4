import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Docker from 'dockerode';
import type { GroupSummary } from '../../src/core/groups/groupSummary';
import { CLI, containersNamed, removeNamed } from '../support/cliProcess';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

type TextResult = { content: { type: string; text: string }[]; isError?: boolean };

/** `remote-swarm mcp` driven by the MCP SDK's own client over stdio, on the real engine. */
describe('remote-swarm mcp with a real MCP client', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let client: Client;
  const instance = `rstest-${RUN_ID}-mcp`;
  const group = `rstest-${RUN_ID}-mg`;

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<TextResult> => (await client.callTool({ name, arguments: args })) as TextResult;
  const textOf = (result: TextResult) => result.content.map((part) => part.text).join('');

  before(async () => {
    await requireDocker();
    // list_instances adopts every instance on the engine that no owner claims, and the limit counts them all.
    temp = makeTempDir('remote-swarm-mcp-');
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ 'docker.defaultImage': ensureTestImage(), maxInstances: 1000 }));
    client = new Client({ name: 'remote-swarm-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', CLI, 'mcp'], env: { ...process.env, REMOTE_SWARM_STATE_DIR: temp.path } as Record<string, string>, stderr: 'pipe' }));
  });
  after(async () => {
    await client?.close();
    await removeNamed(instance);
    await removeNamed(group);
    temp?.remove();
  });

  it('lists its tools with input schemas, marking the destructive ones', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    assert.deepEqual(names, [
      'create_group', 'create_instance', 'delete_group', 'delete_instance', 'exec_command', 'exec_in_group', 'get_cost', 'get_health', 'list_groups', 'list_instances', 'migrate_instance', 'read_file',
      'restart_group', 'restart_instance', 'scale_group', 'start_group', 'start_instance', 'stop_group', 'stop_instance', 'write_file',
    ]);
    for (const name of ['delete_instance', 'delete_group', 'scale_group', 'migrate_instance']) {
      const remove = tools.find((tool) => tool.name === name)!;
      assert.equal(remove.annotations?.destructiveHint, true, name);
      assert.ok((remove.inputSchema.properties as Record<string, unknown>).confirm, `${name} takes a confirm argument`);
    }
  });

  it('creates an instance, runs a command, writes and reads a file, refuses an unconfirmed delete, then deletes', async () => {
    const created = await call('create_instance', { name: instance });
    assert.equal(created.isError, undefined, textOf(created));
    assert.equal((JSON.parse(textOf(created)) as { status: string }).status, 'running');

    const exec = await call('exec_command', { name: instance, argv: ['sh', '-c', 'echo "$1"; exit 5', 'sh', 'hello $(agent)'] });
    assert.deepEqual(JSON.parse(textOf(exec)), { exitCode: 5, stdout: 'hello $(agent)\n', stderr: '' });

    const written = await call('write_file', { name: instance, path: 'notes/plan.md', content: 'step 1: ünïcode ✓\n' });
    assert.equal(written.isError, undefined, textOf(written));
    assert.equal(textOf(await call('read_file', { name: instance, path: 'notes/plan.md' })), 'step 1: ünïcode ✓\n');
    const escaping = await call('read_file', { name: instance, path: '../../etc/passwd' });
    assert.equal(escaping.isError, true);
    assert.match(textOf(escaping), /outside the workspace/);

    const resources = await client.listResources();
    assert.ok(resources.resources.some((resource) => resource.uri === `remote-swarm://instances/${instance}`));

    const unconfirmed = await call('delete_instance', { name: instance });
    assert.equal(unconfirmed.isError, true);
    assert.match(textOf(unconfirmed), /confirm: true/);
    assert.ok((JSON.parse(textOf(await call('list_instances'))) as { name: string }[]).some((listed) => listed.name === instance), 'nothing was deleted');

    const deleted = await call('delete_instance', { name: instance, confirm: true });
    assert.equal(deleted.isError, undefined, textOf(deleted));
    assert.equal((JSON.parse(textOf(await call('list_instances'))) as { name: string }[]).some((listed) => listed.name === instance), false);
  });

  it('creates a group, lists it, runs a command on every member, stops and starts it, scales it down once confirmed, then deletes it once confirmed', async () => {
    const created = await call('create_group', { name: group, workers: 2 });
    assert.equal(created.isError, undefined, textOf(created));
    const summary = JSON.parse(textOf(created)) as GroupSummary;
    assert.deepEqual([summary.status, summary.running, summary.total], ['running', 3, 3]);
    assert.deepEqual(summary.members.map((member) => [member.name, member.role]), [[`${group}-coordinator`, 'coordinator'], [`${group}-worker-1`, 'worker-1'], [`${group}-worker-2`, 'worker-2']]);

    const listed = (JSON.parse(textOf(await call('list_groups'))) as GroupSummary[]).find((g) => g.name === group);
    assert.deepEqual([listed?.provider, listed?.network, listed?.running], ['docker', `group-${group}`, 3]);

    const exec = await call('exec_in_group', { name: group, argv: ['sh', '-c', 'echo "$REMOTE_SWARM_ROLE of $REMOTE_SWARM_GROUP"; [ "$REMOTE_SWARM_ROLE" = coordinator ]'] });
    assert.equal(exec.isError, undefined, textOf(exec));
    assert.deepEqual(JSON.parse(textOf(exec)), [
      { member: `${group}-coordinator`, role: 'coordinator', exitCode: 0, stdout: `coordinator of ${group}\n`, stderr: '' },
      { member: `${group}-worker-1`, role: 'worker-1', exitCode: 1, stdout: `worker-1 of ${group}\n`, stderr: '' },
      { member: `${group}-worker-2`, role: 'worker-2', exitCode: 1, stdout: `worker-2 of ${group}\n`, stderr: '' },
    ]);

    const stopped = JSON.parse(textOf(await call('stop_group', { name: group }))) as GroupSummary;
    assert.deepEqual([stopped.status, stopped.running, (stopped as { failed?: unknown }).failed], ['stopped', 0, undefined]);
    assert.equal((JSON.parse(textOf(await call('start_group', { name: group }))) as GroupSummary).status, 'running');

    const unconfirmedScale = await call('scale_group', { name: group, workers: 1 });
    assert.equal(unconfirmedScale.isError, true);
    assert.match(textOf(unconfirmedScale), /Removing 1 of the 2 workers of .* confirm: true/);
    const scaled = JSON.parse(textOf(await call('scale_group', { name: group, workers: 1, confirm: true }))) as GroupSummary;
    assert.deepEqual(scaled.members.map((member) => member.role), ['coordinator', 'worker-1']);

    const unconfirmed = await call('delete_group', { name: group });
    assert.equal(unconfirmed.isError, true);
    assert.match(textOf(unconfirmed), /confirm: true/);
    assert.equal((await containersNamed(group)).length, 2, 'nothing was deleted');

    const deleted = await call('delete_group', { name: group, confirm: true });
    assert.equal(deleted.isError, undefined, textOf(deleted));
    assert.equal((JSON.parse(textOf(await call('list_groups'))) as GroupSummary[]).some((g) => g.name === group), false);
    assert.deepEqual(await containersNamed(group), []);
    assert.deepEqual((await new Docker().listNetworks({ filters: { name: [`remote-swarm-group-${group}`] } })).map((network) => network.Name), []);
  });
});
