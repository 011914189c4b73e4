import type { SwarmController } from '../controller';
import type { PriceBook } from '../cost/pricing';
import { errorMessage, SwarmError } from '../errors';
import type { Instance } from '../models';
import type { Provider } from '../provider';
import type { ProviderPool } from '../providerPool';
import { readSecretEnv } from '../secretEnv';
import type { SecretStore } from '../stores';
import { compareManifests, describeDifferences, type ManifestDifference, type WorkspaceManifest } from '../workspaces/workspaceManifest';
import { freeName, planMigration, type MigrationPlan, type MigrationRequest } from './migrationPlan';
import { ByteMeter, type MigrationPhase, type MigrationProgress } from './migrationProgress';
import { copyRound, refreshedTargetManifest, targetManifest, type CopyRound, type WorkspaceSide } from './workspaceCopy';

/** On a kept source: when it is to be deleted (ISO time), and the instance it moved to. */
export const DELETE_AFTER_KEY = 'migration.deleteAfter';
export const MOVED_TO_KEY = 'migration.movedTo';

/** Passes while the source runs: at most this many, and only while each changes less than the one before. */
const MAX_RUNNING_ROUNDS = 5;
/** A pass that changed fewer bytes than this leaves little for the last one: the source is stopped then. */
const SMALL_ROUND_BYTES = 16 * 1024 * 1024;

export interface MigrationOptions {
  signal?: AbortSignal;
  onProgress?: (progress: MigrationProgress) => void;
}

export interface MigrationResult {
  /** The target, under the source's name now. */
  instance: Instance;
  /** The source, stopped under a new name until `deleteSourceAt`; undefined once deleted. */
  keptSource?: Instance;
  deleteSourceAt?: string;
  /** A source that was to be deleted and could not be: it is kept, stopped, under `keptSource`'s name. */
  sourceDeleteError?: string;
  strategy: MigrationPlan['strategy'];
  rounds: number;
  /** Bytes of content read from the source over all passes. */
  bytesRead: number;
  /** Entries compared at the end, both sides alike. */
  verifiedEntries: number;
  durationMs: number;
  /** From the moment the source was asked to stop until the target took its name. */
  unavailableMs: number;
}

export interface MigrationServiceDependencies {
  controller: SwarmController;
  providers: ProviderPool;
  prices: PriceBook;
  secrets: SecretStore;
  /** Forgets what this machine keeps for a name (its SSH Host block, host keys, key pair), as when an instance goes. */
  forgetLocalFiles: (instance: Instance) => void;
  /** This machine's clock, in milliseconds. */
  now: () => number;
}

/**
 * Moves an instance to another provider with its workspace: a new target instance is made and filled, the copy is
 * verified (manifests of both sides), then the target takes the source's name; the source is kept stopped for a while
 * or deleted. Anything failing or cancelled before the switch removes the target and starts the source again if it ran.
 */
export class MigrationService {
  constructor(private readonly deps: MigrationServiceDependencies) {}

  plan(request: MigrationRequest): MigrationPlan {
    return planMigration(this.deps, request);
  }

  async migrate(plan: MigrationPlan, { signal, onProgress }: MigrationOptions = {}): Promise<MigrationResult> {
    const { controller } = this.deps;
    const started = this.deps.now();
    const report = (phase: MigrationPhase, message: string, extra: Partial<MigrationProgress> = {}) => onProgress?.({ phase, message, ...extra });
    const source = controller.get(plan.source.id);
    if (source.status !== plan.source.status) throw new SwarmError('CONFLICT', `"${source.name}" is ${source.status} now, not ${plan.source.status} as planned: plan the move again.`);
    if (controller.isBusy(source.id)) throw new SwarmError('CONFLICT', `"${source.name}" has an operation in progress: migrate it once that has finished.`);
    const wasRunning = source.status === 'running';
    const sourceProvider = await this.deps.providers.get(source.provider);
    const targetProvider = await this.deps.providers.get(plan.target.provider);
    let target: Instance | undefined;
    let stoppedAt: number | undefined;
    let switched: Switched | undefined;
    try {
      checkCancelled(signal);
      report('creating-target', `Creating ${plan.target.temporaryName} on ${targetProvider.displayName}`);
      const secretEnv = await readSecretEnv(this.deps.secrets, source.id, source.config.secretEnv);
      // The plan resolved this configuration with the user's consent to its ports, if it needed any.
      target = await controller.create(
        { provider: plan.target.provider, name: plan.target.temporaryName, overrides: plan.target.config, secretEnv, allowNetworkExposure: true },
        signal ? { signal } : {},
      );
      const from: WorkspaceSide = { provider: sourceProvider, id: source.id, workspacePath: source.config.workspacePath, stopped: !wasRunning };
      const to: WorkspaceSide = { provider: targetProvider, id: target.id, workspacePath: target.config.workspacePath };

      const stopSource = async () => {
        checkCancelled(signal);
        stoppedAt = this.deps.now();
        if (!wasRunning) return;
        report('stopping-source', `Stopping ${source.name}`);
        await controller.stop(source.id, signal ? { signal } : {});
        from.stopped = true;
      };
      const pass = (previous: CopyRound | undefined, phase: MigrationPhase, message: string, round: number) => {
        checkCancelled(signal);
        const meter = this.meter(phase, message, round, previous, onProgress);
        return copyRound(from, to, previous, { ...(signal ? { signal } : {}), onBytes: (bytes) => meter.update(bytes), now: this.deps.now }).then((done) => {
          meter.update(done.bytesRead, true);
          return done;
        });
      };
      const readTarget = async (known: WorkspaceManifest | undefined, round: CopyRound): Promise<WorkspaceManifest> => {
        checkCancelled(signal);
        const meter = this.meter('verifying', `Reading ${plan.target.temporaryName} back`, undefined, known ? undefined : round, onProgress);
        const options = { ...(signal ? { signal } : {}), onBytes: (bytes: number) => meter.update(bytes) };
        return known ? refreshedTargetManifest(to, known, round, options) : targetManifest(to, options);
      };

      let round: CopyRound;
      let copied: WorkspaceManifest;
      let rounds = 1;
      let bytesRead = 0;
      if (plan.strategy === 'stop-and-copy') {
        await stopSource();
        round = await pass(undefined, 'copying', `Copying ${source.name}`, 1);
        copied = await readTarget(undefined, round);
      } else {
        round = await pass(undefined, 'copying', `Copying while ${source.name} runs`, 1);
        copied = await readTarget(undefined, round);
        verify(round.manifest, copied);
        while (rounds < MAX_RUNNING_ROUNDS && round.changedBytes >= SMALL_ROUND_BYTES) {
          bytesRead += round.bytesRead;
          const next = await pass(round, 'copying', `Copying what changed while ${source.name} runs (pass ${rounds + 1})`, rounds + 1);
          rounds++;
          copied = await readTarget(copied, next);
          const shrank = next.changedBytes < round.changedBytes;
          round = next;
          if (!shrank) break;
        }
        await stopSource();
        bytesRead += round.bytesRead;
        rounds++;
        round = await pass(round, 'final-copy', `Copying what changed before ${source.name} stopped`, rounds);
        copied = await readTarget(copied, round);
      }
      bytesRead += round.bytesRead;
      report('verifying', `Comparing ${round.manifest.size} entries on both sides`);
      verify(round.manifest, copied);
      await requireRunning(targetProvider, target);
      checkCancelled(signal);

      report('switching', `${target.name} becomes ${source.name}`);
      switched = await this.switchNames(source, target, plan.keepSourceHours);
      const result: MigrationResult = {
        instance: switched.target,
        strategy: plan.strategy,
        rounds,
        bytesRead,
        verifiedEntries: round.manifest.size,
        durationMs: this.deps.now() - started,
        unavailableMs: this.deps.now() - (stoppedAt ?? started),
      };
      if (plan.keepSourceHours > 0) return { ...result, keptSource: switched.source, deleteSourceAt: switched.source.metadata[DELETE_AFTER_KEY]! };
      report('deleting-source', `Deleting the source, now ${switched.source.name}`);
      try {
        await controller.delete(switched.source.id, { keepWorkspace: false });
        return result;
      } catch (error) {
        return { ...result, keptSource: controller.get(switched.source.id), sourceDeleteError: errorMessage(error) };
      }
    } catch (error) {
      report('rolling-back', `Putting ${source.name} back as it was`);
      const problems = await this.rollBack(source, wasRunning, target, switched);
      if (problems.length === 0) throw error;
      const message = `${errorMessage(error)} Rolling back was incomplete: ${problems.join('; ')}`;
      throw new SwarmError(SwarmError.is(error) ? error.code : 'OPERATION_FAILED', message, { cause: error, ...(SwarmError.is(error) ? { details: error.details } : {}) });
    }
  }

  /** Kept sources whose time is up are deleted; run by the process that leads the periodic work. */
  async deleteExpiredSources(): Promise<void> {
    const now = this.deps.now();
    for (const instance of this.deps.controller.list()) {
      const due = instance.metadata[DELETE_AFTER_KEY];
      if (due === undefined || Date.parse(due) > now || this.deps.controller.isBusy(instance.id)) continue;
      await this.deps.controller.delete(instance.id, { keepWorkspace: false });
    }
  }

  private meter(phase: MigrationPhase, message: string, round: number | undefined, sized: CopyRound | undefined, onProgress: MigrationOptions['onProgress']): ByteMeter {
    const totalBytes = sized?.manifest.totals().bytes;
    return new ByteMeter({ phase, message, ...(round !== undefined ? { round } : {}), ...(totalBytes !== undefined ? { totalBytes } : {}) }, (progress) => onProgress?.(progress), this.deps.now);
  }

  /**
   * The target takes the source's name and the source a new one; what this machine kept for either name (the SSH
   * config's Host block, host keys, key pair) is forgotten, so that the name now leads to the target.
   */
  private async switchNames(source: Instance, target: Instance, keepSourceHours: number): Promise<Switched> {
    const { registry } = this.deps.controller;
    const keptName = freeName(this.deps.controller, source.name, 'old');
    const deleteAfter = new Date(this.deps.now() + keepSourceHours * 3_600_000).toISOString();
    const renamedSource = await registry.update(source.id, {
      name: keptName,
      config: { ...source.config, name: keptName },
      metadata: { ...registry.require(source.id).metadata, [DELETE_AFTER_KEY]: deleteAfter, [MOVED_TO_KEY]: target.id },
    });
    const switched: Switched = { source: renamedSource, target, originalSource: source, originalTarget: target };
    switched.target = await registry.update(target.id, { name: source.name, config: { ...registry.require(target.id).config, name: source.name } });
    this.forget(source);
    this.forget(target);
    return switched;
  }

  /** Undoes what was done, as far as it can; returns what it could not undo. */
  private async rollBack(source: Instance, wasRunning: boolean, target: Instance | undefined, switched: Switched | undefined): Promise<string[]> {
    const { controller } = this.deps;
    const { registry } = controller;
    const problems: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        problems.push(`${what}: ${errorMessage(error)}`);
      }
    };
    if (switched) {
      await attempt(`giving ${switched.target.name} back its name`, () => registry.update(switched.target.id, { name: switched.originalTarget.name, config: switched.originalTarget.config }));
      await attempt(`giving ${source.name} back its name`, () =>
        registry.update(source.id, { name: source.name, config: source.config, metadata: withoutMigrationKeys(registry.require(source.id).metadata) }),
      );
    }
    const created = target && registry.get(target.id);
    if (created) await attempt(`removing ${created.name}`, () => controller.delete(created.id, { keepWorkspace: false }));
    if (wasRunning && registry.get(source.id)?.status !== 'running') await attempt(`starting ${source.name} again`, () => controller.start(source.id));
    return problems;
  }

  private forget(instance: Instance): void {
    this.deps.forgetLocalFiles(instance);
  }
}

interface Switched {
  source: Instance;
  target: Instance;
  originalSource: Instance;
  originalTarget: Instance;
}

function withoutMigrationKeys(metadata: Record<string, string>): Record<string, string> {
  const { [DELETE_AFTER_KEY]: _due, [MOVED_TO_KEY]: _to, ...rest } = metadata;
  return rest;
}

function verify(expected: WorkspaceManifest, actual: WorkspaceManifest): void {
  const differences: ManifestDifference[] = compareManifests(expected, actual, { ignoreModeOf: ['.'] });
  if (differences.length === 0) return;
  throw new SwarmError('OPERATION_FAILED', `The copy differs from the source in ${differences.length} entries: ${describeDifferences(differences)}.`, {
    details: { differences: differences.map(({ path, kind }) => ({ path, kind })) },
  });
}

/** The target must run when it takes the name: one killed during the copy (its archive still written by the engine) must not. */
async function requireRunning(provider: Provider, target: Instance): Promise<void> {
  const observed = await provider.getInstance(target.id);
  if (observed?.status !== 'running') throw new SwarmError('OPERATION_FAILED', `The target ${target.name} is ${observed?.status ?? 'gone'} after the copy: it must run to take over.`);
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SwarmError('OPERATION_CANCELLED', 'The migration was cancelled.');
}
