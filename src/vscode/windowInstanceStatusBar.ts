import * as vscode from 'vscode';
import type { HealthMonitor } from '../core/health/healthMonitor';
import type { Instance } from '../core/models';
import { COMMANDS } from './contributions';
import type { HealthStatusBarOptions } from './healthStatusBar';
import { windowInstanceStatusContent } from './healthStatusText';

/**
 * In a window connected to one of Remote Swarm's instances: `$(remote) dev-1: healthy` in the status bar, in warning
 * colours while it is unhealthy; a click opens the health panel. Hidden in every other window.
 */
export function createWindowInstanceStatusBar(
  thisWindow: () => Instance | undefined,
  monitor: HealthMonitor,
  { enabled, changes }: HealthStatusBarOptions,
): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('remoteSwarm.windowInstance', vscode.StatusBarAlignment.Left, 11);
  item.name = 'Remote Swarm Instance of This Window';
  item.command = COMMANDS.showHealth;
  let shown: string | undefined;
  const render = () => {
    const instance = thisWindow();
    const health = instance && enabled() ? monitor.overview().instances.find((summary) => summary.id === instance.id) : undefined;
    const content = instance && windowInstanceStatusContent(instance, health);
    // Setting the same content again would close a tooltip the user is reading, once per sweep.
    const key = JSON.stringify(content);
    if (key === shown) return;
    shown = key;
    if (!content) {
      item.hide();
      return;
    }
    item.text = content.text;
    item.tooltip = content.tooltip;
    item.backgroundColor = content.troubled ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  render();
  return vscode.Disposable.from(item, monitor.onDidChange(render), ...changes.map((event) => event(render)));
}
