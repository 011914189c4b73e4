import type { Instance, InstanceStatus } from '../../core/models';
import type { ProviderCapabilities } from '../../core/provider';
import type { InstanceCommand } from './panelProtocol';

/** What to do with a command a panel asks for: run it, ask the user first, or decline with a reason. */
export type PanelCommandDecision =
  | { kind: 'run' }
  | { kind: 'confirm'; message: string; detail: string; confirm: string }
  | { kind: 'decline'; message: string };

const RESTARTABLE: readonly InstanceStatus[] = ['running', 'error'];

/**
 * A panel's command on an instance, checked against the instance as the registry has it now (the page may show an
 * older state, or ask for anything): a restart only of a running instance or one in error, and only once the user
 * confirms it; logs only where the provider keeps them.
 */
export function decidePanelCommand(command: InstanceCommand, instance: Instance | undefined, capabilities: ProviderCapabilities | undefined): PanelCommandDecision {
  if (!instance) return { kind: 'decline', message: 'That instance is not registered any more.' };
  if (command === 'showLogs') {
    return capabilities?.logs ? { kind: 'run' } : { kind: 'decline', message: `The provider of "${instance.name}" keeps no logs.` };
  }
  if (!capabilities?.restart) return { kind: 'decline', message: `The provider of "${instance.name}" cannot restart it.` };
  if (!RESTARTABLE.includes(instance.status)) {
    return { kind: 'decline', message: `"${instance.name}" is ${instance.status}: only a running instance, or one in error, can be restarted.` };
  }
  return {
    kind: 'confirm',
    message: `Restart "${instance.name}"?`,
    detail: 'Everything running in it stops and starts again; work not saved in it is lost.',
    confirm: 'Restart',
  };
}
