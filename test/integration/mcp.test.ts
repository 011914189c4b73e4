import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Docker from 'dockerode';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

type TextResult = { content: { type: string; text: string }[]; isError?: boolean };

/** `remote-swarm mcp` driven by the MCP SDK's own client over stdio, on the real engine. */
describe('remote-swarm mcp with a real MCP client', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let client: Client;
  const instance = `rstest-${RUN_ID}-mcp`;

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<TextResult> => (await client.callTool({ name, arguments: args })) as TextResult;
  const textOf = (result: TextResult) => result.content.map((part) => part.text).join('');

  before(async () => {
    await requireDocker();
    temp = makeTempDir('remote-swarm-mcp-');
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ 'docker.defaultImage': ensureTestImage() }));
    client = new Client({ name: 'remote-swarm-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', CLI, 'mcp'], env: { ...process.env, REMOTE_SWARM_STATE_DIR: temp.path } as Record<string, string>, stderr: 'pipe' }));
  });
  after(async () => {
    await client?.close();
    const docker = new Docker();
    for (const container of await docker.listContainers({ all: true, filters: { name: [`remote-swarm-${instance}`] } })) await docker.getContainer(container.Id).remove({ force: true });
    for (const volume of (await docker.listVolumes({ filters: { name: [`remote-swarm-${instance}`] } })).Volumes ?? []) await docker.getVolume(volume.Name).remove();
    temp?.remove();
  });

  it('lists its tools with input schemas, marking the destructive one', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    assert.deepEqual(names, ['create_instance', 'delete_instance', 'exec_command', 'get_cost', 'get_health', 'list_instances', 'read_file', 'restart_instance', 'start_instance', 'stop_instance', 'write_file']);
    const remove = tools.find((tool) => tool.name === 'delete_instance')!;
    assert.equal(remove.annotations?.destructiveHint, true);
    assert.ok((remove.inputSchema.properties as Record<string, unknown>).confirm, 'delete takes a confirm argument');
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
});
