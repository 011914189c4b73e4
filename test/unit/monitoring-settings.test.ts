import assert from 'node:assert/strict';
import { parseCostSettings } from '../../src/core/cost/costSettings';
import { parseHealthSettings } from '../../src/core/health/healthSettings';
import { parseIdleSettings } from '../../src/core/idle/idleSettings';
import { forTemplate } from '../../src/core/templateOverrides';

describe('monitoring settings', () => {
  it('default to what package.json declares, in milliseconds', () => {
    assert.deepEqual(parseHealthSettings(undefined), {
      intervalMs: 30_000,
      timeoutMs: 5_000,
      concurrency: 256,
      failureThreshold: 3,
      successThreshold: 2,
      historySize: 120,
      execProbe: [],
      autoRecovery: true,
      autoRecoveryByTemplate: {},
      maxRecoveryAttempts: 3,
      recoveryBackoffMs: 30_000,
      maxRestartsPerHour: 3,
    });
    assert.deepEqual(parseIdleSettings({}), { timeoutMs: 30 * 60_000, timeoutMsByTemplate: {} });
    assert.deepEqual(parseCostSettings({}), { pricePerHour: {}, monthlyBudget: 0, templateBudgets: {}, stopWhenOverBudget: false });
  });

  it('fall back per value when one is invalid, and drop invalid template entries', () => {
    const health = parseHealthSettings({ interval: -5, timeout: 'soon', failureThreshold: 2.5, concurrency: 4, autoRecoveryByTemplate: { agent: false, dev: 'no' } });
    assert.deepEqual([health.intervalMs, health.timeoutMs, health.failureThreshold, health.concurrency], [30_000, 5_000, 3, 4]);
    assert.deepEqual(health.autoRecoveryByTemplate, { agent: false });
    const beyond = parseHealthSettings({ concurrency: 5000, maxRestartsPerHour: 50 });
    assert.deepEqual([beyond.concurrency, beyond.maxRestartsPerHour], [1024, 20], 'held at the maxima package.json declares');
    assert.deepEqual(parseIdleSettings({ timeoutMinutes: 10, timeoutMinutesByTemplate: { agent: 0, bad: -1 } }), { timeoutMs: 600_000, timeoutMsByTemplate: { agent: 0 } });
    assert.deepEqual(parseCostSettings({ pricePerHour: { docker: 0.05, ssh: 'free' }, monthlyBudget: 'lots' }).pricePerHour, { docker: 0.05 });
  });

  it('let a template override the general value', () => {
    assert.equal(forTemplate({ agent: 0 }, 'agent', 30), 0);
    assert.equal(forTemplate({ agent: 0 }, 'development', 30), 30);
    assert.equal(forTemplate({ agent: 0 }, undefined, 30), 30);
  });
});
