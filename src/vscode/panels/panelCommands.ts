import * as vscode from 'vscode';
import type { SwarmController } from '../../core/controller';
import type { ProviderPool } from '../../core/providerPool';
import { COMMANDS } from '../contributions';
import { decidePanelCommand } from './panelCommandDecision';
import type { InstanceCommand } from './panelProtocol';

const COMMAND_IDS: Record<InstanceCommand, string> = { restart: COMMANDS.restartInstance, showLogs: COMMANDS.showLogs };

/**
 * Runs a command a panel asked for, if the instance is in a state for it, after the user confirms where that is asked
 * (a restart). The state is checked again after the confirmation, which may have taken a while.
 */
export async function runPanelCommand(controller: SwarmController, providers: ProviderPool, command: InstanceCommand, instanceId: string): Promise<void> {
  const decide = () => {
    const instance = controller.registry.get(instanceId);
    return decidePanelCommand(command, instance, instance && providers.describe(instance.provider)?.capabilities);
  };
  const decision = decide();
  if (decision.kind === 'decline') {
    void vscode.window.showInformationMessage(`Remote Swarm: ${decision.message}`);
    return;
  }
  if (decision.kind === 'confirm') {
    const choice = await vscode.window.showWarningMessage(decision.message, { modal: true, detail: decision.detail }, decision.confirm);
    if (choice !== decision.confirm) return;
    const again = decide();
    if (again.kind === 'decline') {
      void vscode.window.showInformationMessage(`Remote Swarm: ${again.message}`);
      return;
    }
  }
  await vscode.commands.executeCommand(COMMAND_IDS[command], instanceId);
}
