import * as vscode from 'vscode';
import type { Template } from '../core/models';
import { describeBinding, networkExposedPorts } from '../core/portExposure';
import type { ProviderPool } from '../core/providerPool';

const OPEN_TO_NETWORK = 'Create and Open to the Network';

/** Where the template's ports are published: a provider that cannot bind one address (Docker Swarm) and its name. */
export interface PortPublishing {
  publishesOnAllAddresses: boolean;
  providerName: string;
}

/**
 * Asks before creating from a template that publishes ports beyond loopback (any port, where the provider publishes on
 * all addresses), since the core makes such an instance only with the user's consent: true once the user agrees, false
 * when there is nothing to ask, undefined when declined.
 */
export async function askNetworkExposure(template: Template | undefined, publishing: PortPublishing): Promise<boolean | undefined> {
  const exposed = networkExposedPorts(template?.ports ?? [], publishing.publishesOnAllAddresses);
  if (!template || exposed.length === 0) return false;
  const question = publishing.publishesOnAllAddresses
    ? `${publishing.providerName} publishes ${exposed.map((port) => `port ${port.container}`).join(', ')} of the template "${template.name}" on every address of the machine running the instance, whatever its "hostIp": other machines can reach it.`
    : `The template "${template.name}" publishes ${exposed.map((port) => `port ${port.container} on ${describeBinding(port)}`).join(', ')}, where other machines can reach the instance.`;
  const choice = await vscode.window.showWarningMessage(
    question,
    {
      modal: true,
      detail:
        'Anyone who reaches that address can connect: code-server asks for its password, other services may ask for nothing. ' +
        (publishing.publishesOnAllAddresses
          ? 'Create it only if you mean to share it, or choose a provider that keeps ports on 127.0.0.1.'
          : 'Create it only if you mean to share it; otherwise set the port\'s "hostIp" to "127.0.0.1" in the template.'),
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

export function portPublishing(pool: Pick<ProviderPool, 'describe'>, provider: string): PortPublishing {
  const description = pool.describe(provider);
  return { publishesOnAllAddresses: description?.capabilities.publishesOnAllAddresses === true, providerName: description?.displayName ?? provider };
}
