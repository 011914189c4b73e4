import assert from 'node:assert/strict';
import { SwarmError } from '../../src/core/errors';
import { instancePasswordKey } from '../../src/core/stores';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

/** A promise a test opens when it wants a held provider call to go on. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('SwarmController', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let provider: MemoryProvider;
  let core: CoreHarness;

  beforeEach(async () => {
    temp = makeTempDir();
    provider = new MemoryProvider();
    core = await makeCore(temp.path, { memory: () => provider });
  });
  afterEach(() => {
    core.dispose();
    temp.remove();
  });

  it('creates from a template, records the instance and keeps its password only in the secret store', async () => {
    const created = await core.controller.create({ provider: 'memory', template: 'agent', name: 'worker-1' });
    assert.equal(created.status, 'running');
    assert.equal(created.config.resources.cpuCores, 2);
    assert.equal(created.config.resources.memoryMB, 2048);
    assert.equal(created.config.template, 'agent');
    const password = await core.secrets.get(instancePasswordKey(created.id));
    assert.ok(password && password.length >= 20, 'a generated password is stored');
    assert.equal(provider.instances.get(created.id)?.password, password, 'the provider receives it');
    const reopened = await core.reopenRegistry();
    assert.equal(reopened.findByName('worker-1')?.status, 'running');
    assert.ok(!JSON.stringify(reopened.list()).includes(password!), 'the password is not in the registry');
  });

  it('serialises two operations on one instance', async () => {
    const { id } = await core.controller.create({ provider: 'memory', template: 'development', name: 'dev' });
    const held = gate();
    provider.gate = held.promise;
    const stopping = core.controller.stop(id);
    const starting = core.controller.start(id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(provider.calls.filter((c) => c.includes(id)), [`stop:${id}:begin`], 'start waits while stop runs');
    assert.equal(core.controller.isBusy(id), true);
    held.open();
    await Promise.all([stopping, starting]);
    assert.deepEqual(provider.calls.filter((c) => c.includes(id)), [`stop:${id}:begin`, `stop:${id}:end`, `start:${id}:begin`, `start:${id}:end`]);
    assert.equal(core.controller.get(id).status, 'running');
  });

  it('runs operations on different instances side by side', async () => {
    const a = await core.controller.create({ provider: 'memory', name: 'a' });
    const b = await core.controller.create({ provider: 'memory', name: 'b' });
    const held = gate();
    provider.gate = held.promise;
    const both = Promise.all([core.controller.stop(a.id), core.controller.stop(b.id)]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(provider.calls.slice(-2).sort(), [`stop:${a.id}:begin`, `stop:${b.id}:begin`].sort());
    held.open();
    await both;
  });

  it('shows the transitional status while an operation runs', async () => {
    const { id } = await core.controller.create({ provider: 'memory', name: 'dev' });
    const held = gate();
    provider.gate = held.promise;
    const stopping = core.controller.stop(id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(core.registry.get(id)?.status, 'stopping');
    held.open();
    assert.equal((await stopping).status, 'stopped');
  });

  it('creates under an id chosen beforehand, and refuses one that is taken', async () => {
    const created = await core.controller.create({ provider: 'memory', name: 'chosen', id: 'c0ffee000001' });
    assert.equal(created.id, 'c0ffee000001');
    assert.ok(provider.instances.has('c0ffee000001'), 'the provider makes it under that id');
    await assert.rejects(core.controller.create({ provider: 'memory', name: 'other', id: 'c0ffee000001' }), (error: unknown) => SwarmError.is(error, 'CONFLICT') && error.details?.field === 'id');
    assert.equal(core.registry.size, 1);
  });

  it('enforces the instance limit, with the setting to raise as its remedy', async () => {
    core.settings.maxInstances = 2;
    await core.controller.create({ provider: 'memory', name: 'a' });
    await core.controller.create({ provider: 'memory', name: 'b' });
    await assert.rejects(core.controller.create({ provider: 'memory', name: 'c' }), (error: SwarmError) => {
      assert.equal(error.code, 'RESOURCE_LIMIT_EXCEEDED');
      assert.match(error.message, /limit is 2/);
      assert.deepEqual(error.remedy, { kind: 'setting', setting: 'maxInstances' });
      return true;
    });
    assert.equal(core.registry.size, 2);
  });

  it('counts concurrent creates against the limit', async () => {
    core.settings.maxInstances = 2;
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((name) => core.controller.create({ provider: 'memory', name })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    assert.equal(provider.instances.size, 2);
  });

  it('rejects bad input naming the field, before touching the provider', async () => {
    await assert.rejects(core.controller.create({ provider: 'memory', name: 'Bad_Name' }), { code: 'INVALID_CONFIG', message: /^name must use only lower-case letters/ });
    await assert.rejects(
      core.controller.create({ provider: 'memory', name: 'ok', overrides: { resources: { memoryMB: 64 } } }),
      { code: 'INVALID_CONFIG', message: /resources\.memoryMB must be at least 128 MB/ },
    );
    await assert.rejects(core.controller.create({ provider: 'memory', name: 'ok', template: 'nope' }), { code: 'INVALID_CONFIG', message: /template: "nope" is not a known template; use one of: development, agent/ });
    await assert.rejects(core.controller.create({ provider: 'kubernetes', name: 'ok' }), { code: 'PROVIDER_NOT_REGISTERED', message: /provider: "kubernetes"/ });
    assert.equal(provider.calls.length, 0);
    assert.equal(core.registry.size, 0);
  });

  it('a failed create leaves no registry entry and no secret', async () => {
    provider.failNextCreate = new SwarmError('CONFLICT', 'port 8080 is in use');
    let createdId: string | undefined;
    core.registry.onDidChange((change) => (createdId = change.instance.id));
    await assert.rejects(core.controller.create({ provider: 'memory', name: 'doomed' }), { code: 'CONFLICT' });
    assert.equal(core.registry.size, 0);
    assert.equal(await core.secrets.get(instancePasswordKey(createdId!)), undefined);
    assert.equal((await core.reopenRegistry()).size, 0);
  });

  it('delete removes the entry and the secret; a container already gone still deletes', async () => {
    const a = await core.controller.create({ provider: 'memory', name: 'a' });
    const b = await core.controller.create({ provider: 'memory', name: 'b' });
    provider.instances.delete(b.id);
    await core.controller.delete('a', { keepWorkspace: false });
    await core.controller.delete(b.id, { keepWorkspace: true });
    assert.equal(core.registry.size, 0);
    assert.equal(await core.secrets.get(instancePasswordKey(a.id)), undefined);
  });

  it('an operation on an instance whose infrastructure vanished marks it missing', async () => {
    const { id } = await core.controller.create({ provider: 'memory', name: 'a' });
    provider.instances.delete(id);
    await assert.rejects(core.controller.stop(id), { code: 'INSTANCE_NOT_FOUND' });
    assert.equal(core.registry.get(id)?.status, 'missing');
  });

  it('update merges resources and refuses a rename', async () => {
    const { id } = await core.controller.create({ provider: 'memory', template: 'development', name: 'a' });
    const updated = await core.controller.update(id, { resources: { memoryMB: 1024 } });
    assert.deepEqual(updated.config.resources, { cpuCores: 1, memoryMB: 1024, storageGB: 10 });
    await assert.rejects(core.controller.update(id, { name: 'b' }), { code: 'INVALID_CONFIG', message: /^name: cannot be changed/ });
  });

  it('two updates of one instance at once each keep the other\'s change', async () => {
    const { id } = await core.controller.create({ provider: 'memory', template: 'development', name: 'a' });
    const held = gate();
    provider.gate = held.promise;
    const memory = core.controller.update(id, { resources: { memoryMB: 1024 } });
    const env = core.controller.update(id, { env: { FEATURE: 'on' } });
    held.open();
    await Promise.all([memory, env]);
    const { config } = core.controller.get(id);
    assert.equal(config.resources.memoryMB, 1024);
    assert.equal(config.env.FEATURE, 'on');
  });

  it('reconcile leaves alone what changed after its listing began: an instance created meanwhile is not marked missing', async () => {
    const held = gate();
    provider.listingGate = held.promise;
    const refresh = core.controller.reconcile(['memory']);
    const created = await core.controller.create({ provider: 'memory', name: 'made-meanwhile' });
    held.open();
    const [report] = await refresh;
    assert.deepEqual(report!.vanished, []);
    assert.equal(core.controller.get(created.id).status, 'running');
  });

  it('reconcile adopts instances made elsewhere, marks vanished ones and leaves others alone', async () => {
    const kept = await core.controller.create({ provider: 'memory', name: 'kept' });
    const gone = await core.controller.create({ provider: 'memory', name: 'gone' });
    provider.instances.delete(gone.id);
    const stranger = await provider.createInstance({ id: 'stranger-id', config: { ...kept.config, name: 'stranger' } });

    const [report] = await core.controller.reconcile(['memory']);
    assert.deepEqual(report!.adopted.map((i) => i.name), ['stranger']);
    assert.deepEqual(report!.vanished.map((i) => i.name), ['gone']);
    assert.equal(core.controller.get('stranger').urls.ide, stranger.urls.ide);
    assert.equal(core.controller.get('gone').status, 'missing');
    assert.equal(core.controller.get('kept').status, 'running');
    assert.equal(provider.calls.filter((c) => c === 'list').length, 1, 'one list call per provider');
  });

  it('reconcile with an unreachable provider reports it and changes nothing', async () => {
    await core.controller.create({ provider: 'memory', name: 'a' });
    provider.unavailable = true;
    core.pool.reset();
    const [report] = await core.controller.reconcile();
    assert.equal(report!.error?.code, 'PROVIDER_UNAVAILABLE');
    assert.equal(core.controller.get('a').status, 'running');
  });

  it('reports every operation for logging', async () => {
    const events: string[] = [];
    core.controller.onOperation((e) => events.push(`${e.operation}:${e.instance}:${e.phase}`));
    await core.controller.create({ provider: 'memory', name: 'a' });
    await assert.rejects(core.controller.exec('a', []), { code: 'INVALID_CONFIG' });
    provider.instances.clear();
    await assert.rejects(core.controller.restart('a'));
    assert.deepEqual(events, ['create:a:started', 'create:a:succeeded', 'restart:a:started', 'restart:a:failed']);
  });
});
