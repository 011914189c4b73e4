import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import type { Instance } from '../../../src/core/models';
import type { RemoteSwarmApi } from '../../../src/extension';
import { testInstanceName } from '../testInstanceNames';

const EXTENSION_ID = 'remote-swarm.remote-swarm';
const SETTING_DEADLINE_MS = 10_000;

export function remoteSwarmExtension(): vscode.Extension<RemoteSwarmApi> {
  const extension = vscode.extensions.getExtension<RemoteSwarmApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this VS Code: install the built .vsix or run it as the extension under development`);
  return extension;
}

export function activateRemoteSwarm(): Thenable<RemoteSwarmApi> {
  return remoteSwarmExtension().activate();
}

export interface RemoteSwarmSuite {
  api: RemoteSwarmApi;
  instances: TestInstances;
}

/** Activates Remote Swarm once for the suite; each test gets fresh TestInstances, all deleted after it. */
export function useRemoteSwarm(): RemoteSwarmSuite {
  const suite = {} as RemoteSwarmSuite;
  before(async () => {
    suite.api = await activateRemoteSwarm();
  });
  beforeEach(() => {
    suite.instances = new TestInstances(suite.api);
  });
  afterEach(() => suite.instances.deleteAll());
  return suite;
}

/** The image the host set for new instances: the local busybox test image, since no registry is reachable. */
export function configuredTestImage(): string {
  const image = vscode.workspace.getConfiguration('remoteSwarm').inspect<string>('docker.defaultImage')?.globalValue;
  assert.ok(image, 'remoteSwarm.docker.defaultImage is not set: run this suite through `npm run test:vscode` or the e2e harness, which set it to the busybox test image');
  return image;
}

/** Runs `body` with a remoteSwarm.* user setting changed, then puts the previous value back. */
export async function withSetting<T>(key: string, value: unknown, body: () => Promise<T>): Promise<T> {
  const previous = vscode.workspace.getConfiguration('remoteSwarm').inspect(key)?.globalValue;
  await updateSetting(key, value);
  try {
    return await body();
  } finally {
    await updateSetting(key, previous);
  }
}

async function updateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('remoteSwarm').update(key, value, vscode.ConfigurationTarget.Global);
  const deadline = Date.now() + SETTING_DEADLINE_MS;
  while (!isDeepStrictEqual(vscode.workspace.getConfiguration('remoteSwarm').inspect(key)?.globalValue, value)) {
    if (Date.now() > deadline) throw new Error(`remoteSwarm.${key} did not take the value ${JSON.stringify(value)} within ${SETTING_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Instances a test creates through the extension's API; deleteAll() removes them with their workspaces. */
export class TestInstances {
  private readonly names: string[] = [];

  constructor(private readonly api: RemoteSwarmApi) {}

  create(purpose: string, template = 'development'): Promise<Instance> {
    const name = testInstanceName(purpose);
    this.names.push(name);
    return this.api.controller.create({ provider: 'docker', template, name });
  }

  async deleteAll(): Promise<void> {
    const registered = this.names.filter((name) => this.api.controller.registry.findByName(name) !== undefined);
    this.names.length = 0;
    await Promise.all(registered.map((name) => this.api.controller.delete(name, { keepWorkspace: false })));
  }
}
