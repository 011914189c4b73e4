import * as vscode from 'vscode';
import type { Event } from '../core/events';
import type { HealthMonitor } from '../core/health/healthMonitor';
import { COMMANDS } from './contributions';
import { healthStatusBarContent, troubleLine, type GroupCount } from './healthStatusText';

export interface HealthStatusBarOptions {
  /** Health checks are on (remoteSwarm.health.interval above 0). */
  enabled: () => boolean;
  /** When to look again besides after each sweep: instances or settings changed. */
  changes: readonly Event<unknown>[];
}

/**
 * `$(pulse) 5/6 healthy` in the status bar, in warning colours while any instance is unhealthy, its groups' running
 * counts in the tooltip; a click opens the health panel.
 */
export function createHealthStatusBar(monitor: HealthMonitor, { enabled, changes }: HealthStatusBarOptions, groups: () => readonly GroupCount[]): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('remoteSwarm.health', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Remote Swarm Health';
  item.command = COMMANDS.showHealth;
  let shown: string | undefined;
  const render = () => {
    const content = healthStatusBarContent(monitor.overview(), groups());
    const visible = content.visible && enabled();
    // Setting the same content again would close a tooltip the user is reading, once per sweep.
    const key = JSON.stringify({ visible, content });
    if (key === shown) return;
    shown = key;
    if (!visible) {
      item.hide();
      return;
    }
    item.text = content.text;
    item.accessibilityInformation = { label: content.accessibleLabel };
    // VS Code picks the matching warning foreground itself.
    item.backgroundColor = content.troubled.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString('', true);
    for (const troubled of content.troubled) tooltip.appendMarkdown('$(warning) ').appendText(troubleLine(troubled)).appendMarkdown('  \n');
    if (content.troubled.length === 0) tooltip.appendMarkdown('All checked instances are healthy or not checked yet.  \n');
    if (content.groups.length > 0) tooltip.appendMarkdown('\n**Groups**  \n');
    for (const line of content.groups) tooltip.appendMarkdown('$(layers) ').appendText(line).appendMarkdown('  \n');
    tooltip.appendMarkdown('\nClick to open the health panel.');
    item.tooltip = tooltip;
    item.show();
  };
  render();
  return vscode.Disposable.from(item, monitor.onDidChange(render), ...changes.map((event) => event(render)));
}
