import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { SwarmError, type SwarmErrorCode } from '../../src/core/errors';
import type { InstanceConfig } from '../../src/core/models';
import type { Provider, ProviderCapabilities, ProviderInstance } from '../../src/core/provider';
import { instancePasswordKey } from '../../src/core/stores';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

/**
 * One provider as the contract suite sees it: what it can do, and the infrastructure it runs on. A provider joins the
 * suite with one small file that builds a subject and calls providerContract(subject).
 */
export interface ContractSubject {
  /** The provider type, as the core registers it ("docker"). */
  type: string;
  /** Where it runs, for the suite's title ("the real Docker Engine"). */
  infrastructure: string;
  /** Its getCapabilities(): which cases are generated, and which assert a refusal. Checked against a live provider. */
  capabilities: ProviderCapabilities;
  /**
   * What its instances (as `config` makes them) can do where that is less than the provider declares: an existing SSH
   * host without code-server runs nothing Remote Swarm may stop.
   */
  instanceLimits?: Partial<ProviderCapabilities>;
  /** Whether its instances (as `config` makes them) serve an IDE over HTTP; false: they must claim no IDE URL. */
  servesIde: boolean;
  /** Configurations it must refuse, naming the offending field, before anything is made. */
  badConfigs: readonly BadConfig[];
  /** Per test; defaults to 30 s. */
  timeoutMs?: number;
  /** Starts (or finds) the infrastructure, once per file. */
  setUp(): Promise<ContractWorld>;
}

export interface BadConfig {
  /** What is wrong with it, for the test's title. */
  what: string;
  /** The field the error must name (in details.field, or in its message). */
  field: string;
  /** The SwarmError code it is refused with. */
  code: SwarmErrorCode;
  /** The bad configuration, made from a valid one. */
  make(valid: InstanceConfig): InstanceConfig;
}

/** The infrastructure a subject set up, and how the suite works with it. */
export interface ContractWorld {
  /**
   * A new provider over this infrastructure, independent of every other one made (its own connections and caches), as
   * another front end or the next session would have it; not initialized yet.
   */
  makeProvider(): Provider;
  /** A valid configuration for a new instance with this name. */
  config(name: string): InstanceConfig;
  /** Where this machine reaches the IDE an instance claims (urls.ide): the same URL unless the claimed host only resolves elsewhere. */
  reachIde?(instance: ProviderInstance): Promise<string | undefined>;
  /** What is left of an instance on the infrastructure, one line per thing; empty when nothing. `seen` is the instance as it was before delete. */
  leftovers(id: string, seen?: ProviderInstance): Promise<string[]>;
  /** Removes everything this world made, whatever state the tests left it in. */
  tearDown(): Promise<void>;
}

/** Arguments a shell would mangle: an exec of an argv array must deliver each one to the program byte for byte. */
export const HOSTILE_ARGS: readonly string[] = [
  'two words',
  "it's",
  '"double quoted"',
  '$(echo injected)',
  '`echo injected`',
  '${HOME}',
  'a; echo injected',
  'a && echo injected | cat > /dev/null',
  'line one\nline two',
  '*',
  '/*',
  '?',
  '~',
  '-n',
  '--help',
  '',
  '  padded  ',
  'tab\there',
  '\\back\\slash\\',
  "'",
  '"',
  '#not a comment',
  '>redirected',
  '!bang',
  'héllo wörld ☃',
];

const POLL_MS = 50;

/** The codes an operation a provider cannot do is refused with (not "not found" or "unreachable", which mean something else). */
const REFUSAL_CODES: readonly SwarmErrorCode[] = ['OPERATION_FAILED', 'CONFLICT', 'INVALID_CONFIG'];

/** Polls `probe` until `done` accepts what it returns or the deadline passes; returns the last value either way. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await delay(POLL_MS);
  }
}

/** GETs a URL until it gets an HTTP response or the deadline passes. */
async function httpAnswer(url: string, deadlineMs = 10_000): Promise<Response> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} gave no HTTP response within ${deadlineMs} ms: ${String(error)}`);
    }
    await delay(POLL_MS);
  }
}

/** An assertion for assert.rejects: a SwarmError with this code that names `field` (details.field, details.fields or the message). */
function refusal(code: SwarmErrorCode | readonly SwarmErrorCode[], field?: string) {
  const codes: readonly SwarmErrorCode[] = typeof code === 'string' ? [code] : code;
  return (error: unknown) => {
    assert.ok(SwarmError.is(error), `expected a SwarmError, got ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(codes.includes(error.code), `expected ${codes.join(' or ')}, got ${error.code}: ${error.message}`);
    assert.ok(error.message.trim().length > 0, 'the error says what went wrong');
    if (field !== undefined) {
      const fields = [error.details.field, ...(Array.isArray(error.details.fields) ? error.details.fields : [])];
      const named = fields.includes(field) || new RegExp(`(^|[^\\w.])${field.replace(/\./g, '\\.')}\\b`, 'i').test(error.message);
      assert.ok(named, `the error names the field "${field}": ${error.code} ${JSON.stringify(error.details)} "${error.message}"`);
    }
    return true;
  };
}

/** An id as the controller makes them (12 hex digits). */
function newId(): string {
  return randomBytes(6).toString('hex');
}

/** What the core's create is given for a configuration: its name, and the rest as explicit choices (no template). */
/** A create request as a front end makes it: where the provider publishes every port on all addresses, the user has consented. */
function createInput({ type, capabilities }: ContractSubject, config: InstanceConfig) {
  const { name, ...overrides } = config;
  return { provider: type, name, overrides, allowNetworkExposure: capabilities.publishesOnAllAddresses === true };
}

function ids(instances: readonly ProviderInstance[]): string[] {
  return instances.map((instance) => instance.id).sort();
}

/**
 * The contract every provider passes, against real infrastructure. Cases follow the subject's capabilities: where it
 * lacks one, the case asserts that the provider refuses the operation with a SwarmError; a case about something the
 * provider never claims (an IDE URL) asserts it is not claimed. Nothing is skipped.
 */
export function providerContract(subject: ContractSubject): void {
  const { type } = subject;
  const capabilities = { ...subject.capabilities, ...subject.instanceLimits };

  describe(`Provider contract: ${type} on ${subject.infrastructure}`, function () {
    this.timeout(subject.timeoutMs ?? 30_000);
    let world: ContractWorld;
    /** The file's own provider: one instance serves cases 1 to 4, and every cleanup goes through it. */
    let provider: Provider;
    /** Every instance id a test made or may have made, with the instance as last seen, for cleanup and leftover checks. */
    const made = new Map<string, ProviderInstance | undefined>();
    const cores: { core: CoreHarness; remove: () => void }[] = [];
    /** The instance of cases 1 to 4, kept until the file's after hook. */
    let mainId: string | undefined;
    let nameCounter = 0;

    /** A fresh instance name carrying the run's id, so two runs on one engine never share a name. */
    const newName = (label: string) => `ct-${type}-${RUN_ID}-${label}${++nameCounter}`;

    /** The core as a front end wires it, over this world, with its own state folder (its own registry). */
    async function newCore(): Promise<CoreHarness> {
      const dir = makeTempDir('remote-swarm-contract-');
      try {
        const core = await makeCore(dir.path, { [type]: () => world.makeProvider() });
        cores.push({ core, remove: dir.remove });
        // Whatever the core registers may exist on the infrastructure: clean it up whatever the test does.
        core.registry.onDidChange(({ kind, instance }) => kind === 'added' && !made.has(instance.id) && made.set(instance.id, undefined));
        return core;
      } catch (error) {
        dir.remove();
        throw error;
      }
    }

    async function deleteQuietly(id: string): Promise<void> {
      try {
        await provider.deleteInstance(id, { keepWorkspace: false });
      } catch (error) {
        if (!SwarmError.is(error, 'INSTANCE_NOT_FOUND')) throw error;
      }
    }

    /** Deletes what the tests made (all, or all but `keep`), then closes the cores; every step runs even when one fails. */
    async function cleanUp(keep?: string): Promise<void> {
      const failures: unknown[] = [];
      for (const id of [...made.keys()].filter((candidate) => candidate !== keep)) {
        await deleteQuietly(id).then(
          () => made.delete(id),
          (error: unknown) => failures.push(error),
        );
      }
      for (const { core, remove } of cores.splice(0)) {
        core.dispose();
        remove();
      }
      if (failures.length > 0) throw new AggregateError(failures, `cleaning up ${failures.length} instance(s) failed`);
    }

    before(async function () {
      this.timeout(120_000);
      world = await subject.setUp();
      provider = world.makeProvider();
      await provider.initialize();
    });

    after(async function () {
      this.timeout(120_000);
      try {
        if (provider) await cleanUp();
      } finally {
        provider?.dispose();
        await world?.tearDown();
      }
    });

    it('declares the capabilities this suite was generated from', () => {
      assert.deepEqual(provider.getCapabilities(), subject.capabilities);
      assert.equal(provider.type, type);
    });

    describe('one running instance', () => {
      let config: InstanceConfig;
      let id = '';
      let creation: Promise<ProviderInstance> | undefined;

      /** Created once, by case 1; the later cases use it (and fail with create's error when it could not be made). */
      function instance(): Promise<ProviderInstance> {
        if (!creation) {
          id = newId();
          mainId = id;
          config = world.config(newName('main'));
          made.set(id, undefined);
          creation = provider.createInstance({ id, config, password: `pw-${RUN_ID}` });
          creation.then((created) => made.set(id, created), () => undefined);
        }
        return creation;
      }

      it('1. create returns a running instance with its id and name; get and list report it running', async () => {
        const created = await instance();
        assert.equal(created.id, id);
        assert.equal(created.name, config.name);
        assert.equal(created.status, 'running');

        const got = await provider.getInstance(id);
        assert.ok(got, 'getInstance finds it');
        assert.deepEqual([got.id, got.name, got.status], [id, config.name, 'running']);
        const listed = (await provider.listInstances()).filter((candidate) => candidate.id === id);
        assert.deepEqual(listed.map((one) => [one.id, one.name, one.status]), [[id, config.name, 'running']], 'listed once, running');
      });

      if (subject.servesIde) {
        it('2. its IDE URL answers over HTTP', async () => {
          const running = await provider.getInstance((await instance()).id);
          const claimed = running?.urls.ide;
          assert.ok(claimed, `a running instance claims an IDE URL: ${JSON.stringify(running?.urls)}`);
          assert.match(new URL(claimed).protocol, /^https?:$/);
          const reachable = world.reachIde ? await world.reachIde(running) : claimed;
          assert.ok(reachable, `${claimed} is reachable from this machine`);
          const answer = await httpAnswer(new URL('healthz', reachable).href);
          assert.equal(answer.status, 200, `GET ${reachable}healthz answers 200`);
        });
      } else {
        it('2. claims no IDE URL, since it serves none', async () => {
          const created = await instance();
          assert.equal(created.urls.ide, undefined);
          assert.equal((await provider.getInstance(created.id))?.urls.ide, undefined);
        });
      }

      if (capabilities.exec) {
        it('3. exec delivers hostile arguments verbatim and propagates exit codes, stdout and stderr', async () => {
          const { id: instanceId } = await instance();
          const printed = await provider.executeCommand(instanceId, ['printf', '%s\\n', ...HOSTILE_ARGS]);
          assert.deepEqual(printed, { stdout: HOSTILE_ARGS.map((arg) => `${arg}\n`).join(''), stderr: '', exitCode: 0 });

          const failing = await provider.executeCommand(instanceId, ['sh', '-c', 'echo out; echo err >&2; exit 7']);
          assert.deepEqual(failing, { stdout: 'out\n', stderr: 'err\n', exitCode: 7 });

          // The same arguments through env and workdir, which some transports wrap the command in.
          const value = 'x y $(echo injected) `id`; *';
          const wrapped = await provider.executeCommand(instanceId, ['sh', '-c', 'pwd; printf "%s\\n" "$CONTRACT_VALUE" "$@"; exit 3', 'sh', ...HOSTILE_ARGS], {
            workdir: '/tmp',
            env: { CONTRACT_VALUE: value },
          });
          assert.deepEqual(wrapped, { stdout: ['/tmp', value, ...HOSTILE_ARGS].map((line) => `${line}\n`).join(''), stderr: '', exitCode: 3 });
        });
      } else {
        it('3. refuses exec with a SwarmError', async () => {
          await assert.rejects(provider.executeCommand((await instance()).id, ['true']), refusal(REFUSAL_CODES));
        });
      }

      if (capabilities.stop) {
        it(`4. stop then start: stopped, then running again${capabilities.exec ? ', with the workspace intact' : ''}`, async () => {
          const { id: instanceId } = await instance();
          const marker = { file: `contract-${RUN_ID}.txt`, text: `written before stop ${Date.now()}` };
          if (capabilities.exec) {
            const write = ['sh', '-c', 'mkdir -p "$1" && printf %s "$2" > "$1/$3"', 'sh', config.workspacePath, marker.text, marker.file];
            assert.equal((await provider.executeCommand(instanceId, write)).exitCode, 0);
          }

          const stopped = await provider.stopInstance(instanceId);
          assert.equal(stopped.status, 'stopped');
          assert.equal(stopped.urls.ide, undefined, 'a stopped instance claims no IDE URL');
          assert.equal((await provider.getInstance(instanceId))?.status, 'stopped');

          const started = await provider.startInstance(instanceId);
          assert.equal(started.status, 'running');
          assert.equal((await provider.getInstance(instanceId))?.status, 'running');
          if (capabilities.exec) {
            const read = await provider.executeCommand(instanceId, ['cat', `${config.workspacePath}/${marker.file}`]);
            assert.deepEqual(read, { stdout: marker.text, stderr: '', exitCode: 0 }, 'the workspace survived stop and start');
          }
        });
      } else {
        it('4. refuses stop with a SwarmError, and the instance keeps running', async () => {
          const { id: instanceId } = await instance();
          await assert.rejects(provider.stopInstance(instanceId), refusal(REFUSAL_CODES));
          assert.equal((await provider.getInstance(instanceId))?.status, 'running');
        });
      }
    });

    describe('through the core', () => {
      afterEach(async function () {
        this.timeout(60_000);
        // Cases 1-4's instance stays for the file's after hook; what these cases made goes now.
        await cleanUp(mainId);
      });

      it('5. another front end (its own registry) adopts an instance on reconcile, with the same name and config, and sees it go when the other deletes it', async () => {
        const maker = await newCore();
        const adopter = await newCore();
        const config = world.config(newName('adopt'));
        const created = await maker.controller.create(createInput(subject, config));
        assert.equal(created.status, 'running');
        assert.equal(adopter.controller.list().length, 0, 'the other registry starts empty');

        const [report] = await adopter.controller.reconcile([type]);
        assert.equal(report?.error, undefined, report?.error?.message);
        assert.ok(report?.adopted.some((instance) => instance.id === created.id), `adopted ${created.id}: ${JSON.stringify(report?.adopted.map((i) => i.id))}`);
        const adopted = adopter.controller.get(config.name);
        assert.equal(adopted.id, created.id);
        assert.equal(adopted.name, created.name);
        assert.equal(adopted.provider, type);
        assert.equal(adopted.status, 'running');
        assert.deepEqual(adopted.config, created.config, 'the config recorded on the infrastructure comes back');
        assert.ok((await adopter.reopenRegistry()).get(created.id), 'the adoption is saved in the other registry');

        await adopter.controller.delete(adopted.id, { keepWorkspace: false });
        const [after] = await maker.controller.reconcile([type]);
        assert.deepEqual(after?.vanished.map((instance) => instance.id), [created.id]);
        assert.equal(maker.controller.get(created.id).status, 'missing');
      });

      it('6. delete leaves nothing behind: no infrastructure, no registry entry, no password', async () => {
        const core = await newCore();
        const created = await core.controller.create(createInput(subject, world.config(newName('delete'))));
        const seen = await provider.getInstance(created.id);
        assert.equal(seen?.status, 'running', 'this file\'s own provider sees what the core made');
        made.set(created.id, seen);
        assert.ok(await core.secrets.get(instancePasswordKey(created.id)), 'create kept a password');

        await core.controller.delete(created.id, { keepWorkspace: false });
        assert.equal(core.registry.get(created.id), undefined);
        assert.equal((await core.reopenRegistry()).get(created.id), undefined, 'nor in the saved registry');
        assert.equal(await core.secrets.get(instancePasswordKey(created.id)), undefined);
        assert.equal(await provider.getInstance(created.id), undefined);
        assert.ok(!ids(await provider.listInstances()).includes(created.id), 'not listed');
        assert.deepEqual(await eventually(() => world.leftovers(created.id, seen), (left) => left.length === 0), []);
      });

      for (const bad of subject.badConfigs) {
        it(`7. refuses ${bad.what} with ${bad.code} naming ${bad.field}, and makes nothing`, async () => {
          const core = await newCore();
          const live = await core.pool.get(type);
          const before = ids(await live.listInstances());
          const reserved: string[] = [];
          core.registry.onDidChange(({ kind, instance }) => kind === 'added' && reserved.push(instance.id));
          const config = bad.make(world.config(newName('bad')));

          const refused: unknown = await core.controller.create(createInput(subject, config)).then(
            () => assert.fail(`create accepted ${bad.what}`),
            (error: unknown) => error,
          );
          assert.equal(core.registry.findByName(config.name), undefined, 'no registry entry');
          assert.equal((await core.reopenRegistry()).size, 0, 'nothing saved in the registry');
          for (const id of reserved) assert.equal(await core.secrets.get(instancePasswordKey(id)), undefined, 'no password kept');
          assert.deepEqual(ids(await live.listInstances()), before, 'the provider lists what it listed before');
          for (const id of reserved) assert.deepEqual(await world.leftovers(id), [], `nothing of ${id} on the infrastructure`);
          // Checked last, so that a wrong error still shows whether anything was made.
          refusal(bad.code, bad.field)(refused);
        });
      }
    });
  });
}
