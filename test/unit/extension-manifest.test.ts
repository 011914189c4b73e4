import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/vscode/contributions';

interface Manifest {
  publisher: string;
  name: string;
  extensionKind?: string[];
  activationEvents: string[];
  contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; group?: string }[]> };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;

describe('the extension manifest (package.json)', () => {
  it('runs Remote Swarm on the user side where VS Code can (desktop), else in the workspace host (code-server)', () => {
    assert.deepEqual(manifest.extensionKind, ['ui', 'workspace']);
  });

  it('puts Connect to Instance and Create Instance in the remote indicator menu', () => {
    const remoteMenu = manifest.contributes.menus['statusBar/remoteIndicator'] ?? [];
    assert.deepEqual(
      remoteMenu.map(({ command }) => command),
      [COMMANDS.connectToInstance, COMMANDS.createInstance],
    );
    // VS Code ignores entries of another group form (with a warning in its log only).
    for (const { group } of remoteMenu) assert.match(group ?? '', /^remote_\d\d_[a-z][a-z0-9+.-]*_.+$/);
    const titles = new Map(manifest.contributes.commands.map(({ command, title }) => [command, title]));
    assert.deepEqual(remoteMenu.map(({ command }) => titles.get(command)), ['Connect to Instance...', 'Create Instance']);
  });

  it('activates for links (vscode://remote-swarm.remote-swarm/…) and after startup, so an instance window shows which instance it is', () => {
    assert.equal(`${manifest.publisher}.${manifest.name}`, 'remote-swarm.remote-swarm');
    assert.ok(manifest.activationEvents.includes('onUri'), 'no onUri activation event');
    assert.ok(manifest.activationEvents.includes('onStartupFinished'), 'no onStartupFinished activation event');
  });
});
