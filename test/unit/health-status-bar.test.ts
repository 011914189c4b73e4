import assert from 'node:assert/strict';
import type { HealthOverview, InstanceHealthSummary } from '../../src/core/health/healthSnapshot';
import type { HealthStatus } from '../../src/core/health/healthStatus';
import { healthStatusBarContent } from '../../src/vscode/healthStatusText';

function view(name: string, health: HealthStatus, monitored = true, lastError?: string): InstanceHealthSummary {
  return { id: name, name, monitored, health, lastError };
}

function snapshot(instances: InstanceHealthSummary[]): HealthOverview {
  return { lastSweepAt: 1, instances };
}

describe('the health status bar text', () => {
  it('counts healthy among the checked instances and names the troubled ones with their last error', () => {
    const content = healthStatusBarContent(
      snapshot([
        ...['a', 'b', 'c', 'd', 'e'].map((name) => view(name, 'HEALTHY')),
        view('f', 'UNHEALTHY', true, 'connection refused'),
        view('g', 'RECOVERING'),
        view('h', 'UNKNOWN'),
        view('stopped', 'UNKNOWN', false),
      ]),
    );
    assert.equal(content.text, '$(pulse) 5/8 healthy');
    assert.deepEqual(content.troubled, [
      { name: 'f', health: 'UNHEALTHY', error: 'connection refused' },
      { name: 'g', health: 'RECOVERING', error: undefined },
    ]);
    assert.equal(content.visible, true);
    assert.equal(content.accessibleLabel, 'Remote Swarm: 5 of 8 instances healthy; f is unhealthy: connection refused; g is recovering');
  });

  it('has nothing to warn about when all are healthy, and hides before the first sweep and with nothing to check', () => {
    const healthy = healthStatusBarContent(snapshot([view('a', 'HEALTHY')]));
    assert.deepEqual([healthy.text, healthy.troubled], ['$(pulse) 1/1 healthy', []]);
    assert.equal(healthStatusBarContent({ ...snapshot([view('a', 'HEALTHY')]), lastSweepAt: undefined }).visible, false);
    assert.equal(healthStatusBarContent(snapshot([view('a', 'UNKNOWN', false)])).visible, false);
  });
});
