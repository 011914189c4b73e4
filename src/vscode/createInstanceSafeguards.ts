import * as vscode from 'vscode';
import type { Template } from '../core/models';
import { describeBinding, networkExposedPorts } from '../core/portExposure';

const OPEN_TO_NETWORK = 'Create and Open to the Network';

/**
 * Asks before creating from a template that publishes ports beyond loopback, since the core makes such an instance
 * only with the user's consent: true once the user agrees, false when there is nothing to ask, undefined when declined.
 */
export async function askNetworkExposure(template: Template | undefined): Promise<boolean | undefined> {
  const exposed = networkExposedPorts(template?.ports ?? []);
  if (!template || exposed.length === 0) return false;
  const bindings = exposed.map((port) => `port ${port.container} on ${describeBinding(port)}`).join(', ');
  const choice = await vscode.window.showWarningMessage(
    `The template "${template.name}" publishes ${bindings}, where other machines can reach the instance.`,
    {
      modal: true,
      detail:
        'Anyone who reaches that address can connect: code-server asks for its password, other services may ask for nothing. ' +
        'Create it only if you mean to share it; otherwise set the port\'s "hostIp" to "127.0.0.1" in the template.',
    },
    OPEN_TO_NETWORK,
  );
  return choice === OPEN_TO_NETWORK ? true : undefined;
}

/** Asks for the value of each of the template's secretEnv variables, hidden as it is typed; undefined when dismissed. */
export async function askSecretEnv(template: Template | undefined, instanceName: string): Promise<Record<string, string> | undefined> {
  const names = template?.secretEnv ?? [];
  const values: Record<string, string> = {};
  for (const [index, name] of names.entries()) {
    const value = await vscode.window.showInputBox({
      title: `Create "${instanceName}": secret ${index + 1} of ${names.length}`,
      prompt: `The value of ${name}. It is kept in VS Code's secret storage and reaches the instance as an environment variable; it is never written to settings or to the instance's recorded configuration.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined;
    values[name] = value;
  }
  return values;
}
