import assert from 'node:assert/strict';
import type { Instance, InstanceStatus } from '../../src/core/models';
import type { ProviderCapabilities } from '../../src/core/provider';
import { decidePanelCommand } from '../../src/vscode/panels/panelCommandDecision';
import { parseWebviewMessage } from '../../src/vscode/panels/panelProtocol';

function instance(status: InstanceStatus): Instance {
  return {
    id: 'abc123',
    name: 'dev-1',
    provider: 'docker',
    status,
    urls: {},
    config: {
      name: 'dev-1', image: 'img', workspacePath: '/w', resources: { cpuCores: 1, memoryMB: 512, storageGB: 1 },
      ports: [], env: {}, secretEnv: [], extensions: [], auth: { type: 'password' }, features: [], options: {},
    },
    ports: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    metadata: {},
  };
}

const CAN_DO_ALL = { restart: true, logs: true } as ProviderCapabilities;

describe('security: messages from webview panels', () => {
  it('accepts the messages the panels send', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'instanceCommand', command: 'restart', instanceId: 'abc123' }), { type: 'instanceCommand', command: 'restart', instanceId: 'abc123' });
    assert.deepEqual(parseWebviewMessage({ type: 'instanceCommand', command: 'showLogs', instanceId: 'abc123' })?.type, 'instanceCommand');
  });

  it('refuses anything else: unknown types and commands, extra or missing fields, wrong types', () => {
    const refused: unknown[] = [
      undefined,
      null,
      'ready',
      42,
      [],
      {},
      { type: 'snapshot', snapshot: {} },
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      { type: 'instanceCommand', command: 'delete', instanceId: 'abc123' },
      { type: 'instanceCommand', command: 'restart' },
      { type: 'instanceCommand', command: 'restart', instanceId: '' },
      { type: 'instanceCommand', command: 'restart', instanceId: 7 },
      { type: 'instanceCommand', command: 'restart', instanceId: 'x'.repeat(201) },
      { type: 'instanceCommand', command: 'restart', instanceId: 'abc123', args: ['--force'] },
      { type: 'ready', extra: true },
    ];
    for (const message of refused) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message));
  });

  describe('Restart from the Health panel', () => {
    it('asks the user before restarting a running instance, or one in error', () => {
      for (const status of ['running', 'error'] as const) {
        const decision = decidePanelCommand('restart', instance(status), CAN_DO_ALL);
        assert.equal(decision.kind, 'confirm', status);
        assert.ok(decision.kind === 'confirm' && decision.message === 'Restart "dev-1"?' && decision.confirm === 'Restart');
      }
    });

    it('declines an instance in any other state, one that is gone, and a provider that cannot restart', () => {
      for (const status of ['stopped', 'creating', 'starting', 'stopping', 'restarting', 'updating', 'deleting', 'missing', 'unknown'] as const) {
        const decision = decidePanelCommand('restart', instance(status), CAN_DO_ALL);
        assert.equal(decision.kind, 'decline', status);
        assert.ok(decision.kind === 'decline' && decision.message.includes(`is ${status}`));
      }
      assert.equal(decidePanelCommand('restart', undefined, CAN_DO_ALL).kind, 'decline');
      assert.equal(decidePanelCommand('restart', instance('running'), { ...CAN_DO_ALL, restart: false }).kind, 'decline');
    });

    it('shows logs without asking, where the provider keeps them', () => {
      assert.deepEqual(decidePanelCommand('showLogs', instance('stopped'), CAN_DO_ALL), { kind: 'run' });
      assert.equal(decidePanelCommand('showLogs', instance('running'), { ...CAN_DO_ALL, logs: false }).kind, 'decline');
    });
  });
});
