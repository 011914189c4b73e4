import assert from 'node:assert/strict';
import { instanceConfigSchema } from '../../src/core/models';
import { configFromTemplate, loadTemplates } from '../../src/core/templates';

describe('templates', () => {
  it('offers the built-in development and agent templates', () => {
    const { templates, problems } = loadTemplates(undefined);
    assert.deepEqual(problems, []);
    const byName = Object.fromEntries(templates.map((t) => [t.name, t]));
    assert.deepEqual(byName.development?.resources, { cpuCores: 1, memoryMB: 512, storageGB: 10 });
    assert.deepEqual(byName.agent?.resources, { cpuCores: 2, memoryMB: 2048, storageGB: 20 });
    assert.ok(byName.agent?.features.includes('agent'));
    assert.equal(byName.development?.env.REMOTE_SWARM_ROLE, 'development');
  });

  it('loads valid user templates and reports an invalid one by name and field', () => {
    const { templates, problems } = loadTemplates([
      { name: 'big', description: 'lots of memory', resources: { memoryMB: 8192 } },
      { name: 'broken', resources: { memoryMB: 'lots' } },
      { name: 'tiny', resources: { cpuCores: 0.5 } },
    ]);
    assert.deepEqual(templates.map((t) => t.name), ['development', 'agent', 'big', 'tiny']);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /^template "broken": resources\.memoryMB must be a number of megabytes/);
  });

  it('lets a user template replace a built-in of the same name', () => {
    const { templates } = loadTemplates([{ name: 'development', image: 'my/ide:2', resources: { memoryMB: 1024 } }]);
    assert.equal(templates.filter((t) => t.name === 'development').length, 1);
    assert.equal(templates.find((t) => t.name === 'development')?.image, 'my/ide:2');
  });

  it('reports a setting that is not a list', () => {
    const { templates, problems } = loadTemplates({ name: 'x' });
    assert.equal(templates.length, 2);
    assert.match(problems[0]!.message, /must be a list/);
  });

  it('merges: explicit choices over the template over the defaults', () => {
    const template = loadTemplates([
      { name: 'web', image: 'web:1', resources: { memoryMB: 1024 }, env: { A: '1', B: '2' }, ports: [{ container: 3000 }], extensions: ['ms-python.python'] },
    ]).templates.find((t) => t.name === 'web');
    const config = instanceConfigSchema.parse(
      configFromTemplate(template, { name: 'site', env: { B: 'mine' }, resources: { cpuCores: 4 }, ports: [{ container: 3000, host: 3001 }] }, { image: 'default:1' }),
    );
    assert.equal(config.image, 'web:1');
    assert.deepEqual(config.resources, { cpuCores: 4, memoryMB: 1024, storageGB: 10 });
    assert.deepEqual(config.env, { A: '1', B: 'mine' });
    assert.deepEqual(config.ports.map((p) => [p.container, p.host, p.hostIp]), [[3000, 3001, '127.0.0.1']]);
    assert.deepEqual(config.extensions, ['ms-python.python']);
    assert.equal(config.template, 'web');
  });

  it('publishes the code-server port for a user template that lists no ports', () => {
    const template = loadTemplates([{ name: 'image-only', image: 'my/ide:1' }]).templates.find((t) => t.name === 'image-only');
    const config = instanceConfigSchema.parse(configFromTemplate(template, { name: 'box' }, { image: 'default:1' }));
    assert.deepEqual(config.ports.map((p) => [p.container, p.purpose, p.hostIp]), [[8080, 'ide', '127.0.0.1']]);
  });

  it('uses the default image and publishes the code-server port when the template names neither', () => {
    const config = instanceConfigSchema.parse(configFromTemplate(undefined, { name: 'plain' }, { image: 'codercom/code-server:4.100.3' }));
    assert.equal(config.image, 'codercom/code-server:4.100.3');
    assert.deepEqual(config.ports.map((p) => [p.container, p.purpose, p.hostIp]), [[8080, 'ide', '127.0.0.1']]);
  });
});
