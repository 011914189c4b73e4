import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RemoteSwarmApi } from '../../../src/extension';
import { activateRemoteSwarm, TestInstances } from './remoteSwarm';

describe('Remote Swarm passwords', () => {
  let api: RemoteSwarmApi;
  let instances: TestInstances;

  before(async () => {
    api = await activateRemoteSwarm();
  });

  beforeEach(() => {
    instances = new TestInstances(api);
  });

  afterEach(() => instances.deleteAll());

  it('keeps the password in SecretStorage, not in the instance record, and gives the container the same one', async () => {
    const instance = await instances.create('secret');
    const password = await api.controller.getPassword(instance.id);
    assert.ok(password && password.length >= 16, 'a generated password is stored');
    const { stdout } = await api.controller.exec(instance.id, ['sh', '-c', 'printf %s "$PASSWORD"']);
    assert.equal(stdout, password);
    assert.ok(!JSON.stringify(api.controller.get(instance.id)).includes(password), 'the instance record (kept in globalState) holds no password');
  });

  it('Copy Password puts the stored password on the clipboard', async () => {
    const instance = await instances.create('copy');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('remoteSwarm.copyPassword', instance.id);
    assert.equal(await vscode.env.clipboard.readText(), await api.controller.getPassword(instance.id));
  });
});
