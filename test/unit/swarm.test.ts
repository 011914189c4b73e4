import assert from 'node:assert/strict';
import * as z from 'zod';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COST_LEDGER_KEY } from '../../src/core/cost/costLedger';
import { instanceConfigSchema, type Instance } from '../../src/core/models';
import { InstanceRegistry, QUARANTINE_KEY, REGISTRY_KEY, REGISTRY_SCHEMA_VERSION } from '../../src/core/registry';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { MemoryProvider } from '../support/memoryProvider';
import { MemoryStore } from '../support/providerContext';
import { swarmError } from '../support/swarmAssertions';
import { makeTempDir } from '../support/tempDir';

describe('createSwarm', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  let forgotten: string[];

  beforeEach(async () => {
    temp = makeTempDir();
    forgotten = [];
    const provider = new MemoryProvider();
    core = await makeCore(temp.path, { memory: () => provider }, { localFiles: [{ forget: (instance) => void forgotten.push(instance.name) }] });
  });
  afterEach(() => {
    core.dispose();
    temp.remove();
  });

  it('removes what this machine keeps for an instance (its SSH files) when it is deleted, whichever front end deletes it', async () => {
    const kept = await core.controller.create({ provider: 'memory', name: 'kept' });
    const gone = await core.controller.create({ provider: 'memory', name: 'gone' });
    await core.controller.delete(gone.id, { keepWorkspace: false });
    assert.deepEqual(forgotten, ['gone']);
    assert.equal(core.controller.get(kept.id).name, 'kept');
  });

  it('refreshes only when asked or watched, and remembers a provider it could not list', async () => {
    assert.equal(core.swarm.refresher.hasCompleted, false, 'nothing is listed at start-up');
    await core.swarm.refresher.refresh();
    assert.equal(core.swarm.refresher.hasCompleted, true);
    assert.equal(core.swarm.refresher.hasErrors, true, 'the default provider (docker) is not registered here');
    assert.equal(core.swarm.refresher.providerError('docker')?.code, 'PROVIDER_NOT_REGISTERED');
  });
});

describe('provider-declared instance options', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;

  beforeEach(async () => {
    temp = makeTempDir();
    const provider = new MemoryProvider();
    const schema = z.object({ zone: z.string({ error: 'is required: the zone to run in' }) });
    core = await makeCore(temp.path, { memory: () => provider }, { instanceOptions: { memory: { schema, fields: [{ name: 'zone', description: 'Zone', required: true }] } } });
  });
  afterEach(() => {
    core.dispose();
    temp.remove();
  });

  it('validates options with the provider\'s schema, naming the option, and creates nothing when they are wrong', async () => {
    assert.throws(() => core.controller.resolveConfig({ provider: 'memory', name: 'zoned' }), swarmError('INVALID_CONFIG', /options\.zone is required/, 'options.zone'));
    await assert.rejects(core.controller.create({ provider: 'memory', name: 'zoned' }), swarmError('INVALID_CONFIG', /options\.zone/));
    assert.equal(core.registry.size, 0);
    assert.deepEqual(core.controller.resolveConfig({ provider: 'memory', name: 'zoned', overrides: { options: { zone: 'eu' } } }).options, { zone: 'eu' });
  });
});

describe('instance configurations written before provider options', () => {
  it('read an SSH host\'s old sshHost field as its options, so stored hosts keep working', async () => {
    const legacy = { name: 'box', image: 'ssh://dev@box:22', resources: { cpuCores: 1, memoryMB: 512, storageGB: 1 }, sshHost: { host: 'box', port: 22, user: 'dev' } };
    assert.deepEqual(instanceConfigSchema.parse(legacy).options, { host: 'box', port: 22, user: 'dev' });
    const store = new MemoryStore();
    const instance = { id: 'i1', name: 'box', provider: 'ssh', status: 'running', urls: {}, config: legacy, ports: [], createdAt: 'x', updatedAt: 'x', metadata: {} };
    await store.update(REGISTRY_KEY, { schemaVersion: REGISTRY_SCHEMA_VERSION, instances: { i1: instance } });
    const registry = new InstanceRegistry(store);
    assert.deepEqual(await registry.load(), [], 'nothing is quarantined');
    assert.deepEqual((registry.get('i1') as Instance).config.options, { host: 'box', port: 22, user: 'dev' });
  });

  describe('loads whatever garbage the stored state holds, keeping it aside and saying so', () => {
    const garbage: [string, unknown][] = [['a string', 'corrupt'], ['a number', 42], ['null', null], ['a list of junk', [1, 'x', null]], ['an object of junk', { a: { b: 1 } }]];
    const keys = [REGISTRY_KEY, QUARANTINE_KEY, COST_LEDGER_KEY, 'remoteSwarm.ssh.hosts'];
    for (const key of keys) {
      for (const [kind, value] of garbage) {
        it(`${key} holding ${kind}`, async () => {
          const dir = makeTempDir();
          try {
            writeFileSync(join(dir.path, 'state.json'), JSON.stringify({ [key]: value }));
            const provider = new MemoryProvider();
            const loaded = await makeCore(dir.path, { memory: () => provider });
            try {
              const report = await loaded.swarm.load();
              const created = await loaded.controller.create({ provider: 'memory', name: 'after-garbage' });
              assert.equal(loaded.controller.get('after-garbage').id, created.id, 'the core works on');
              if (key === COST_LEDGER_KEY && value !== null) assert.match(report.ledgerProblem ?? '', /kept aside/);
              if (key === QUARANTINE_KEY && !Array.isArray(value) && value !== null) {
                assert.ok(loaded.registry.quarantinedEntries().some((entry) => entry.id === '(quarantine)'), 'a broken quarantine list is itself kept aside');
              }
            } finally {
              loaded.dispose();
            }
          } finally {
            dir.remove();
          }
        });
      }
    }
  });
});
