import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  extensionKind?: string[];
  activationEvents: string[];
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as Manifest;

describe('the extension manifest (package.json)', () => {
  it('runs Remote Swarm on the user side where VS Code can (desktop), else in the workspace host (code-server)', () => {
    assert.deepEqual(manifest.extensionKind, ['ui', 'workspace']);
  });

  it('activates after startup, so an instance window shows which instance it is without the view opened first', () => {
    assert.ok(manifest.activationEvents.includes('onStartupFinished'), 'no onStartupFinished activation event');
  });
});
