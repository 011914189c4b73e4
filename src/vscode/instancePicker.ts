import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { Instance } from '../core/models';
import { statusGroup, type InstanceNode, type StatusGroup } from './instanceTreeItems';

/** What an instance command receives: the tree node it was run on, an instance id or name (API, tests), or nothing (palette). */
export type InstanceArgument = InstanceNode | string | undefined;

/** Where a command run without an argument finds its instance: the registry, and what is selected in the Instances view. */
export interface InstanceSource {
  controller: SwarmController;
  selected: () => readonly Instance[];
}

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

/**
 * The instance a command acts on: the one it was given; else the one selected in the Instances view, when the command
 * applies to it; else the only one it applies to; else the user's pick among those.
 */
export async function resolveInstance({ controller, selected }: InstanceSource, argument: InstanceArgument, options: PickOptions): Promise<Instance | undefined> {
  if (argument !== undefined) return controller.get(typeof argument === 'string' ? argument : argument.instance.id);
  const candidates = controller.list().filter((instance) => options.groups.includes(statusGroup(instance.status)) && (options.accepts?.(instance) ?? true));
  const selectedIds = new Set(selected().map((instance) => instance.id));
  const selectedCandidates = candidates.filter((instance) => selectedIds.has(instance.id));
  if (selectedCandidates.length === 1) return selectedCandidates[0];
  if (candidates.length === 1) return candidates[0];
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
