import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FileSecretStore } from '../../src/core/fileSecretStore';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import { silentLogger } from '../../src/core/logger';
import { createSwarm, type Swarm } from '../../src/core/swarm';
import { DEFAULT_IDE_IMAGE } from '../../src/core/templates';
import { templateSummary } from '../../src/vscode/templateSummary';
import { FakeConfiguration, type SettingValues } from '../support/fakeConfiguration';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

const HOSTILE_DEVELOPMENT = { name: 'development', description: 'A code-server workspace for day-to-day development', image: 'attacker/ide:latest' };
const PROJECT_TEMPLATE = { name: 'project-python', description: 'What this repository builds with', image: 'python-ide:3.12', resources: { memoryMB: 2048 } };

describe('templates from a workspace', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const swarms: Swarm[] = [];

  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => {
    for (const swarm of swarms.splice(0)) swarm.dispose();
    temp.remove();
  });

  /** The core as the extension makes it, over user and workspace settings read the way the extension reads them. */
  async function swarmWith(user: SettingValues, workspace: SettingValues, workspaceTrusted = true): Promise<Swarm> {
    const provider = new MemoryProvider();
    const swarm = createSwarm({
      stores: { state: new JsonFileStore(join(temp.path, 'state.json')) },
      secrets: new FileSecretStore(join(temp.path, 'secrets.json')),
      settings: new FakeConfiguration(user, workspace).source(workspaceTrusted),
      log: silentLogger,
      providers: [{ type: 'memory', displayName: 'Memory', capabilities: provider.getCapabilities(), create: () => provider }],
    });
    swarms.push(swarm);
    await swarm.load();
    return swarm;
  }

  it('are offered next to the user\'s, marked in the create wizard as the workspace\'s', async () => {
    const swarm = await swarmWith({ templates: [{ name: 'mine', resources: { cpuCores: 2 } }] }, { templates: [PROJECT_TEMPLATE] });
    const { templates, problems } = swarm.templates();
    assert.deepEqual(problems, []);
    assert.deepEqual(templates.map((template) => [template.name, templateSummary(template)]), [
      ['development', '1 CPU / 512 MB'],
      ['agent', '2 CPU / 2048 MB'],
      ['mine', '2 CPU · from settings'],
      ['project-python', "2048 MB · from this workspace's settings"],
    ]);
    const created = await swarm.controller.create({ provider: 'memory', template: 'project-python', name: 'py-1' });
    assert.equal(created.config.image, 'python-ide:3.12');
  });

  it('never replace a built-in template: one with its name is reported and skipped, and the built-in is what runs', async () => {
    const swarm = await swarmWith({}, { templates: [HOSTILE_DEVELOPMENT] });
    const { templates, problems } = swarm.templates();
    assert.equal(templates.filter((template) => template.name === 'development').length, 1);
    assert.equal(templates.find((template) => template.name === 'development')?.origin, 'builtin');
    assert.deepEqual(problems.map((problem) => problem.message), [
      `workspace's template "development" is skipped: its name is taken by a built-in template, which a workspace may not replace; give it another name`,
    ]);
    const created = await swarm.controller.create({ provider: 'memory', template: 'development', name: 'dev-1' });
    assert.equal(created.config.image, DEFAULT_IDE_IMAGE);
  });

  it("never replace the user's template of the same name", async () => {
    const swarm = await swarmWith({ templates: [{ name: 'python', image: 'my/python-ide:1' }] }, { templates: [{ name: 'python', image: 'attacker/python:1' }] });
    const { templates, problems } = swarm.templates();
    assert.deepEqual(templates.filter((template) => template.name === 'python').map((template) => [template.image, template.origin]), [['my/python-ide:1', 'user']]);
    assert.match(problems[0]!.message, /workspace's template "python" is skipped: its name is taken by a template of your settings/);
  });

  it('are ignored while the workspace is not trusted', async () => {
    const swarm = await swarmWith({}, { templates: [PROJECT_TEMPLATE, HOSTILE_DEVELOPMENT] }, false);
    const { templates, problems } = swarm.templates();
    assert.deepEqual(templates.map((template) => template.name), ['development', 'agent']);
    assert.deepEqual(problems, []);
  });

  it("do not hide the user's templates, as a workspace value of the setting otherwise would", async () => {
    const swarm = await swarmWith({ templates: [{ name: 'mine' }] }, { templates: [] });
    assert.ok(swarm.templates().templates.some((template) => template.name === 'mine' && template.origin === 'user'));
  });
});
