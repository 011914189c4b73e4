import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateRemoteSwarm, remoteSwarmExtension } from './remoteSwarm';

describe('Remote Swarm commands and view', () => {
  before(async () => {
    await activateRemoteSwarm();
  });

  it('registers every command its package.json contributes', async () => {
    const contributed = (remoteSwarmExtension().packageJSON.contributes.commands as { command: string }[]).map(({ command }) => command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    assert.deepEqual(contributed.filter((command) => !registered.has(command)), []);
  });

  it('contributes the Instances view, which can be focused', async () => {
    await vscode.commands.executeCommand('remoteSwarm.instances.focus');
  });
});
