import type { Instance } from '../../src/core/models';

/** A valid registry entry for unit tests: a running "development" instance on `provider`, changed by `overrides`. */
export function sampleInstance(name: string, overrides: Partial<Instance> = {}): Instance {
  return {
    id: `id-${name}`,
    name,
    provider: 'docker',
    status: 'running',
    urls: { ide: 'http://127.0.0.1:8080/' },
    config: {
      name, image: 'img:1', workspacePath: '/work', resources: { cpuCores: 1, memoryMB: 512, storageGB: 10 },
      ports: [], env: {}, secretEnv: [], extensions: [], auth: { type: 'password' }, features: [], template: 'development', options: {},
    },
    ports: [],
    createdAt: '2026-11-25T00:00:00.000Z',
    updatedAt: '2026-11-25T00:00:00.000Z',
    metadata: {},
    ...overrides,
  };
}
