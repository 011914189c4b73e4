import assert from 'node:assert/strict';
import { parseCostSettings } from '../../src/core/cost/costSettings';
import { parseHealthSettings } from '../../src/core/health/healthSettings';
import { parseIdleSettings } from '../../src/core/idle/idleSettings';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SwarmSettings } from '../../src/core/settings';
import { forTemplate } from '../../src/core/templateOverrides';

const declared = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { maximum?: number }> } } }).contributes.configuration.properties;

describe('monitoring settings', () => {
  it('default to what package.json declares, in milliseconds', () => {
    assert.deepEqual(parseHealthSettings(undefined), {
      intervalMs: 30_000,
      timeoutMs: 5_000,
      concurrency: 1024,
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
    assert.deepEqual(parseIdleSettings({}), { timeoutMs: 30 * 60_000, timeoutMsByTemplate: { agent: 0 }, cpuThresholdPercent: 10 });
    assert.deepEqual(parseCostSettings({}), { pricePerHour: {}, monthlyBudget: 0, templateBudgets: {}, stopWhenOverBudget: false });
  });

  it('read a value above the maximum package.json declares as that maximum, so an interval can never outgrow a timer', () => {
    const maximum = (key: string) => declared[`remoteSwarm.${key}`]?.maximum ?? assert.fail(`remoteSwarm.${key} declares no maximum`);
    const health = parseHealthSettings({ interval: 3_000_000, timeout: 10_000, recoveryBackoff: 9e9 });
    assert.deepEqual([health.intervalMs, health.timeoutMs, health.recoveryBackoffMs], [maximum('health.interval') * 1000, maximum('health.timeout') * 1000, maximum('health.recoveryBackoff') * 1000]);
    const beyond = parseHealthSettings({ concurrency: 5000, maxRestartsPerHour: 50 });
    assert.deepEqual([beyond.concurrency, beyond.maxRestartsPerHour], [maximum('health.concurrency'), maximum('health.maxRestartsPerHour')]);
    assert.equal(parseIdleSettings({ timeoutMinutes: 1e7 }).timeoutMs, maximum('idle.timeoutMinutes') * 60_000);
    const settings = new SwarmSettings({ get: (key) => (key === 'refreshInterval' ? 3_000_000 : undefined), onDidChange: () => ({ dispose: () => undefined }) });
    assert.equal(settings.refreshIntervalSeconds, maximum('refreshInterval'));
  });

  it('fall back per value when one is invalid, and drop invalid template entries', () => {
    const health = parseHealthSettings({ interval: -5, timeout: 'soon', failureThreshold: 2.5, concurrency: 4, autoRecoveryByTemplate: { agent: false, dev: 'no' } });
    assert.deepEqual([health.intervalMs, health.timeoutMs, health.failureThreshold, health.concurrency], [30_000, 5_000, 3, 4]);
    assert.deepEqual(health.autoRecoveryByTemplate, { agent: false });
    assert.deepEqual(parseIdleSettings({ timeoutMinutes: 10, timeoutMinutesByTemplate: { agent: 0, bad: -1 } }), { timeoutMs: 600_000, timeoutMsByTemplate: { agent: 0 }, cpuThresholdPercent: 10 });
    assert.deepEqual(parseCostSettings({ pricePerHour: { docker: 0.05, ssh: 'free' }, monthlyBudget: 'lots' }).pricePerHour, { docker: 0.05 });
  });

  it('let a template override the general value', () => {
    assert.equal(forTemplate({ agent: 0 }, 'agent', 30), 0);
    assert.equal(forTemplate({ agent: 0 }, 'development', 30), 30);
    assert.equal(forTemplate({ agent: 0 }, undefined, 30), 30);
  });
});
