import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { useRemoteSwarm } from './remoteSwarm';

describe('Remote Swarm passwords', () => {
  const suite = useRemoteSwarm();

  it('keeps the password in SecretStorage, not in the instance record, and gives the container the same one', async () => {
    const instance = await suite.instances.create('secret');
    const password = await suite.api.controller.getPassword(instance.id);
    assert.ok(password && password.length >= 16, 'a generated password is stored');
    const { stdout } = await suite.api.controller.exec(instance.id, ['sh', '-c', 'printf %s "$PASSWORD"']);
    assert.equal(stdout, password);
    assert.ok(!JSON.stringify(suite.api.controller.get(instance.id)).includes(password), 'the instance record (kept in globalState) holds no password');
  });

  it('Copy Password puts the stored password on the clipboard', async () => {
    const instance = await suite.instances.create('copy');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('remoteSwarm.copyPassword', instance.id);
    assert.equal(await vscode.env.clipboard.readText(), await suite.api.controller.getPassword(instance.id));
  });
});
