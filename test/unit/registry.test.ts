import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import { InstanceRegistry, QUARANTINE_KEY, REGISTRY_KEY, type RegistryChange } from '../../src/core/registry';
import { sampleInstance } from '../support/sampleInstance';
import { makeTempDir } from '../support/tempDir';

describe('InstanceRegistry', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;
  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.path, 'state.json');
  });
  afterEach(() => temp.remove());

  async function open(): Promise<{ registry: InstanceRegistry; quarantined: Awaited<ReturnType<InstanceRegistry['load']>> }> {
    const registry = new InstanceRegistry(new JsonFileStore(path));
    const quarantined = await registry.load();
    return { registry, quarantined };
  }

  it('loses no entry when two processes share the file: each writes only what it changed', async () => {
    const { registry: first } = await open();
    const { registry: second } = await open();
    await Promise.all([first.add(sampleInstance('alpha')), second.add(sampleInstance('beta'))]);
    await first.update('id-alpha', { status: 'stopped' });
    await second.remove('id-beta');
    await second.add(sampleInstance('gamma'));
    const { registry: reloaded } = await open();
    assert.deepEqual(reloaded.list().map(({ name, status }) => `${name}:${status}`), ['alpha:stopped', 'gamma:running']);
  });

  it('keeps instances across a reload, in a file only its owner can read', async () => {
    const { registry } = await open();
    await registry.add(sampleInstance('alpha'));
    await registry.add(sampleInstance('beta', { status: 'stopped' }));
    await registry.update('id-alpha', { status: 'stopped' });

    const { registry: reloaded, quarantined } = await open();
    assert.deepEqual(quarantined, []);
    assert.deepEqual(reloaded.list().map((i) => [i.name, i.status]), [['alpha', 'stopped'], ['beta', 'stopped']]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('answers queries by provider, status, name pattern, template and metadata', async () => {
    const { registry } = await open();
    await registry.add(sampleInstance('web-1', { metadata: { team: 'a' } }));
    await registry.add(sampleInstance('web-2', { status: 'stopped', metadata: { team: 'b' } }));
    await registry.add(sampleInstance('db-1', { provider: 'fly' }));

    assert.deepEqual(registry.list({ provider: 'docker' }).map((i) => i.name), ['web-1', 'web-2']);
    assert.deepEqual(registry.list({ status: 'stopped' }).map((i) => i.name), ['web-2']);
    assert.deepEqual(registry.list({ status: ['running', 'stopped'], namePattern: 'web-*' }).map((i) => i.name), ['web-1', 'web-2']);
    assert.deepEqual(registry.list({ namePattern: '?b-1' }).map((i) => i.name), ['db-1']);
    assert.deepEqual(registry.list({ metadata: { team: 'b' } }).map((i) => i.name), ['web-2']);
    assert.deepEqual(registry.list({ template: 'development', provider: 'fly' }).map((i) => i.name), ['db-1']);
    assert.equal(registry.findByName('web-2')?.id, 'id-web-2');
  });

  it('fires added, updated and removed events', async () => {
    const { registry } = await open();
    const seen: string[] = [];
    registry.onDidChange((change: RegistryChange) => seen.push(`${change.kind}:${change.instance.name}:${change.instance.status}`));
    await registry.add(sampleInstance('alpha'));
    await registry.update('id-alpha', { status: 'stopped' });
    await registry.remove('id-alpha');
    assert.deepEqual(seen, ['added:alpha:running', 'updated:alpha:stopped', 'removed:alpha:stopped']);
  });

  it('refuses a second instance with the same name', async () => {
    const { registry } = await open();
    await registry.add(sampleInstance('alpha'));
    await assert.rejects(registry.add(sampleInstance('alpha', { id: 'other' })), { code: 'CONFLICT', message: /named "alpha" already exists/ });
  });

  it('keeps a corrupt entry aside with the reason and loads the rest', async () => {
    const good = sampleInstance('good');
    const bad = { ...sampleInstance('bad'), name: 'Not A DNS Label', status: 'exploded' };
    writeFileSync(path, JSON.stringify({ [REGISTRY_KEY]: { schemaVersion: 1, instances: { [good.id]: good, [bad.id]: bad } } }));

    const { registry, quarantined } = await open();
    assert.deepEqual(registry.list().map((i) => i.name), ['good']);
    assert.equal(quarantined.length, 1);
    assert.equal(quarantined[0]!.id, 'id-bad');
    assert.match(quarantined[0]!.reason, /name/);
    assert.match(quarantined[0]!.reason, /status/);

    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(onDisk[QUARANTINE_KEY][0].raw.name, 'Not A DNS Label', 'the raw entry is kept, not dropped');
    assert.equal(onDisk[REGISTRY_KEY].instances['id-bad'], undefined);

    const { quarantined: again, registry: third } = await open();
    assert.deepEqual(again, [], 'an entry is reported once');
    assert.equal(third.quarantinedEntries().length, 1, 'and stays kept aside');
  });

  it('keeps every entry of a registry written by another schema version aside', async () => {
    writeFileSync(path, JSON.stringify({ [REGISTRY_KEY]: { schemaVersion: 99, instances: { x: sampleInstance('x') } } }));
    const { registry, quarantined } = await open();
    assert.equal(registry.size, 0);
    assert.equal(quarantined.length, 1);
    assert.match(quarantined[0]!.reason, /schema version 99/);
  });
});
