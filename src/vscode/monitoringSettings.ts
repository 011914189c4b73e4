import * as vscode from 'vscode';
import { parseCostSettings, type CostSettings } from '../core/cost/costSettings';
import { parseHealthSettings, type HealthSettings } from '../core/health/healthSettings';
import { parseIdleSettings, type IdleSettings } from '../core/idle/idleSettings';

/** The remoteSwarm.health.*, remoteSwarm.cost.* and remoteSwarm.idle.* settings; every read sees the current values. */
export const monitoringSettings = {
  health: (): HealthSettings => parseHealthSettings(section('health')),
  cost: (): CostSettings => parseCostSettings(section('cost')),
  idle: (): IdleSettings => parseIdleSettings(section('idle')),
};

/** A settings group as one object, e.g. remoteSwarm.health → { interval, timeout, … }. */
function section(name: string): unknown {
  return vscode.workspace.getConfiguration('remoteSwarm').get<unknown>(name);
}
