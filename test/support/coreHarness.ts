import { join } from 'node:path';
import type { BackupStoreFactory } from '../../src/core/backups/backupStore';
import type { Clock } from '../../src/core/clock';
import type { ControllerSettings, SwarmController } from '../../src/core/controller';
import type { SwarmCoordination } from '../../src/core/coordination/swarmCoordination';
import type { HttpProbe } from '../../src/core/health/httpProbe';
import { FileSecretStore } from '../../src/core/fileSecretStore';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import { silentLogger, type Logger } from '../../src/core/logger';
import type { InstanceOptionsDeclaration, Provider } from '../../src/core/provider';
import type { ProviderPool } from '../../src/core/providerPool';
import { InstanceRegistry } from '../../src/core/registry';
import type { SettingsSource } from '../../src/core/settings';
import { createSwarm, type InstanceLocalFiles, type Swarm } from '../../src/core/swarm';

export interface CoreHarness {
  swarm: Swarm;
  controller: SwarmController;
  registry: InstanceRegistry;
  secrets: FileSecretStore;
  pool: ProviderPool;
  storePath: string;
  /** Change these to change what the core reads as maxInstances and docker.defaultImage. */
  settings: ControllerSettings;
  userTemplates: unknown[];
  /** Any other setting, by key (e.g. "health", "cost"). */
  otherSettings: Record<string, unknown>;
  /** A second registry over the same file, as the next session of the extension would see it. */
  reopenRegistry(): Promise<InstanceRegistry>;
  dispose(): void;
}

export interface CoreHarnessOptions {
  clock?: Clock;
  /** How this core shares periodic work with others over the same folder (default: alone). */
  coordination?: SwarmCoordination;
  /** The health checks' HTTP probe (default: a real GET). */
  probe?: HttpProbe;
  localFiles?: InstanceLocalFiles[];
  /** Options a provider type declares for its instances. */
  instanceOptions?: Record<string, InstanceOptionsDeclaration>;
  /** Backup storage (default: none, and backups are refused). */
  backupStore?: BackupStoreFactory;
  /** Where the core reports (default: nowhere). */
  log?: Logger;
}

/** The core as every front end makes it (createSwarm), with file-backed stores in `dir` and settings the test sets. */
export async function makeCore(dir: string, providers: Record<string, () => Provider>, options: CoreHarnessOptions = {}): Promise<CoreHarness> {
  const storePath = join(dir, 'state.json');
  const secrets = new FileSecretStore(join(dir, 'secrets.json'));
  const settings: ControllerSettings = { maxInstances: 10, defaultImage: 'remote-swarm/test-busybox:latest' };
  const userTemplates: unknown[] = [];
  const otherSettings: Record<string, unknown> = {};
  const source: SettingsSource = {
    get: (key) => (key === 'maxInstances' ? settings.maxInstances : key === 'docker.defaultImage' ? settings.defaultImage : key === 'templates' ? userTemplates : otherSettings[key]),
    onDidChange: () => ({ dispose: () => undefined }),
  };
  const { instanceOptions = {}, ...rest } = options;
  const registrations = Object.entries(providers).map(([type, make]) => ({ type, displayName: type, capabilities: make().getCapabilities(), instanceOptions: instanceOptions[type], create: make }));
  const swarm = createSwarm({
    stores: { state: new JsonFileStore(storePath) },
    secrets,
    settings: source,
    log: silentLogger,
    providers: registrations,
    // Not the machine user's real owner id (~/.remote-swarm/owner-id): tests leave the user's files alone.
    ownerId: () => 'test-owner-harness',
    ...rest,
  });
  await swarm.load();
  return {
    swarm,
    controller: swarm.controller,
    registry: swarm.registry,
    secrets,
    pool: swarm.providers,
    storePath,
    settings,
    userTemplates,
    otherSettings,
    async reopenRegistry() {
      const next = new InstanceRegistry(new JsonFileStore(storePath));
      await next.load();
      return next;
    },
    dispose() {
      swarm.dispose();
    },
  };
}
