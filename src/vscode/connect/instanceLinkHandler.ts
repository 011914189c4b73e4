import * as vscode from 'vscode';
import type { SwarmController } from '../../core/controller';
import { SwarmError } from '../../core/errors';
import type { Instance } from '../../core/models';
import type { ProviderPool } from '../../core/providerPool';
import type { RefreshScheduler } from '../../core/refreshScheduler';
import { reportError } from '../notifications';
import { CONNECTION_WAYS, waysInto, type ConnectionWay } from './connectionWays';
import { parseInstanceLink } from './instanceLink';

export interface InstanceLinkDependencies {
  controller: SwarmController;
  pool: ProviderPool;
  refresher: RefreshScheduler;
  log: vscode.LogOutputChannel;
}

const REFUSED = 'Remote Swarm did not follow the link';

/**
 * Opens the instance a link names (`…/open?instance=<name>&via=<way>`, see instanceLink.ts) the way it names, once the
 * user agrees: a link can come from anywhere. A link it cannot follow is reported, and nothing else happens.
 */
export function registerInstanceLinks(deps: InstanceLinkDependencies): vscode.Disposable {
  return vscode.window.registerUriHandler({
    handleUri: (uri) => followLink(deps, uri).catch((error: unknown) => reportError(deps.log, { title: REFUSED, error })),
  });
}

async function followLink(deps: InstanceLinkDependencies, uri: vscode.Uri): Promise<void> {
  const link = parseInstanceLink(uri.path, uri.query);
  const instance = await findInstance(deps, link.instance);
  const way = CONNECTION_WAYS[link.via];
  requireWay(instance, way, waysInto(instance, deps.pool.describe(instance.provider)?.capabilities));
  const answer = await vscode.window.showWarningMessage(
    `Open the instance "${instance.name}" ${way.phrase}?`,
    { modal: true, detail: 'A link asks Remote Swarm to open it. Links can come from any web page or message: go on only if you meant to open this one.' },
    way.label,
  );
  if (answer === way.label) await vscode.commands.executeCommand(way.command, instance.id);
}

/** By name; an instance made by another front end a moment ago is found after one refresh. */
async function findInstance({ controller, refresher }: InstanceLinkDependencies, name: string): Promise<Instance> {
  const known = controller.registry.findByName(name);
  if (known) return known;
  await refresher.refresh();
  const found = controller.registry.findByName(name);
  if (!found) throw new SwarmError('INSTANCE_NOT_FOUND', `No instance is named "${name}"; the link names one that is not yours, or no longer exists.`, { details: { field: 'instance' } });
  return found;
}

function requireWay(instance: Instance, way: ConnectionWay, possible: readonly ConnectionWay[]): void {
  if (instance.status !== 'running') {
    throw new SwarmError('CONFLICT', `"${instance.name}" is ${instance.status}; start it, then open the link again.`, { details: { field: 'instance' } });
  }
  if (possible.includes(way)) return;
  const instead = possible.length > 0 ? ` It can be opened with ${possible.map(({ via }) => `via=${via}`).join(', ')}.` : '';
  throw new SwarmError('CONFLICT', `"${instance.name}" cannot be opened via=${way.via}: that needs ${way.needs}.${instead}`, { details: { field: 'via' } });
}
