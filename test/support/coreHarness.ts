import { join } from 'node:path';
import { SwarmController, type ControllerSettings } from '../../src/core/controller';
import { FileSecretStore } from '../../src/core/fileSecretStore';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import type { Provider } from '../../src/core/provider';
import { ProviderFactory } from '../../src/core/provider';
import { ProviderPool } from '../../src/core/providerPool';
import { InstanceRegistry } from '../../src/core/registry';
import { loadTemplates } from '../../src/core/templates';
import { memoryProviderContext } from './providerContext';

export interface CoreHarness {
  controller: SwarmController;
  registry: InstanceRegistry;
  secrets: FileSecretStore;
  pool: ProviderPool;
  storePath: string;
  settings: ControllerSettings;
  userTemplates: unknown[];
  /** A second registry over the same file, as the next session of the extension would see it. */
  reopenRegistry(): Promise<InstanceRegistry>;
  dispose(): void;
}

/** The core wired as the CLI and the extension wire it, with file-backed stores in `dir`. */
export async function makeCore(dir: string, providers: Record<string, () => Provider>): Promise<CoreHarness> {
  const factory = new ProviderFactory();
  for (const [type, make] of Object.entries(providers)) factory.register({ type, displayName: type, capabilities: make().getCapabilities(), create: make });
  const storePath = join(dir, 'state.json');
  const registry = new InstanceRegistry(new JsonFileStore(storePath));
  await registry.load();
  const secrets = new FileSecretStore(join(dir, 'secrets.json'));
  const pool = new ProviderPool(factory, () => ({}), memoryProviderContext());
  const settings: ControllerSettings = { maxInstances: 10, defaultImage: 'remote-swarm/test-busybox:latest' };
  const userTemplates: unknown[] = [];
  const controller = new SwarmController({ registry, providers: pool, secrets, templates: () => loadTemplates(userTemplates), settings: () => settings });
  return {
    controller, registry, secrets, pool, storePath, settings, userTemplates,
    async reopenRegistry() {
      const next = new InstanceRegistry(new JsonFileStore(storePath));
      await next.load();
      return next;
    },
    dispose() {
      controller.dispose();
      pool.dispose();
      registry.dispose();
    },
  };
}
