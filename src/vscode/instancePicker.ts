import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { Instance } from '../core/models';
import { statusGroup, type InstanceNode, type StatusGroup } from './instanceTreeItems';

/** What an instance command receives: the tree node it was run on, an instance id or name (API, tests), or nothing (palette). */
export type InstanceArgument = InstanceNode | string | undefined;

export interface PickOptions {
  /** e.g. "Instance to start" */
  placeHolder: string;
  /** The status groups the command applies to, as its menu when-clauses say. */
  groups: readonly StatusGroup[];
  /** Further condition, e.g. "has a URL". */
  accepts?: (instance: Instance) => boolean;
  /** Said when no instance qualifies, e.g. "No instance is stopped." */
  noneMessage: string;
}

/** The instance a command acts on: the one it was given, else the user's pick among those it applies to. */
export async function resolveInstance(controller: SwarmController, argument: InstanceArgument, options: PickOptions): Promise<Instance | undefined> {
  if (argument !== undefined) return controller.get(typeof argument === 'string' ? argument : argument.instance.id);
  const candidates = controller.list().filter((instance) => options.groups.includes(statusGroup(instance.status)) && (options.accepts?.(instance) ?? true));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(options.noneMessage);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((instance) => ({ label: instance.name, description: `${instance.status} · ${instance.provider}`, detail: instance.urls.ide, instance })),
    { placeHolder: options.placeHolder, matchOnDescription: true },
  );
  return picked?.instance;
}
