import * as vscode from 'vscode';
import type * as z from 'zod';
import type { SwarmController } from '../core/controller';
import { resourcesSchema, type Instance } from '../core/models';
import type { ProviderCapabilities } from '../core/provider';
import { runOperation } from './operationProgress';

const RECREATE = 'Recreate';

export interface ChangeResourcesDependencies {
  controller: SwarmController;
  capabilities: (instance: Instance) => ProviderCapabilities | undefined;
  log: vscode.LogOutputChannel;
}

/** Whether its provider can change an instance's CPU and memory at all, live or by making it anew. */
export function canChangeResources(capabilities: ProviderCapabilities | undefined): boolean {
  return capabilities?.liveResourceUpdate === true || capabilities?.recreateUpdate === true;
}

/**
 * Asks for the CPU cores and memory, then applies them through the controller's update: live where the provider can
 * (nothing restarts), else by recreating the instance around its workspace, which the user confirms first.
 */
export async function changeResources(deps: ChangeResourcesDependencies, instance: Instance): Promise<void> {
  const current = instance.config.resources;
  const cpuCores = await askNumber(`CPU cores for "${instance.name}" (now ${current.cpuCores})`, current.cpuCores, resourcesSchema.shape.cpuCores);
  if (cpuCores === undefined) return;
  const memoryMB = await askNumber(`Memory in MB for "${instance.name}" (now ${current.memoryMB})`, current.memoryMB, resourcesSchema.shape.memoryMB);
  if (memoryMB === undefined) return;
  if (cpuCores === current.cpuCores && memoryMB === current.memoryMB) {
    vscode.window.setStatusBarMessage(`"${instance.name}" keeps ${describe(cpuCores, memoryMB)}`, 4000);
    return;
  }
  const live = deps.capabilities(instance)?.liveResourceUpdate === true;
  if (!live) {
    const detail = 'Its provider cannot change them while it runs: it is made anew around its workspace, so code-server restarts and whatever runs in it stops.';
    const choice = await vscode.window.showWarningMessage(`Recreate "${instance.name}" with ${describe(cpuCores, memoryMB)}?`, { modal: true, detail }, RECREATE);
    if (choice !== RECREATE) return;
  }
  const updated = await runOperation(deps.log, {
    title: `Changing "${instance.name}" to ${describe(cpuCores, memoryMB)}`,
    failure: `Could not change the resources of "${instance.name}"`,
    location: vscode.ProgressLocation.Notification,
    run: (options) => deps.controller.update(instance.id, { resources: { ...current, cpuCores, memoryMB } }, options),
    retry: () => changeResources(deps, instance),
  });
  if (updated) vscode.window.setStatusBarMessage(`$(check) "${instance.name}" has ${describe(cpuCores, memoryMB)}${live ? ', applied live' : ''}`, 5000);
}

function describe(cpuCores: number, memoryMB: number): string {
  return `${cpuCores} CPU / ${memoryMB} MB`;
}

/** A number the schema accepts, or undefined when the user dismissed the box. */
async function askNumber(prompt: string, value: number, schema: z.ZodType<number>): Promise<number | undefined> {
  const parse = (text: string) => schema.safeParse(text.trim() === '' ? Number.NaN : Number(text));
  const answer = await vscode.window.showInputBox({
    prompt,
    value: String(value),
    validateInput: (text) => {
      const parsed = parse(text);
      return parsed.success ? undefined : parsed.error.issues[0]?.message;
    },
  });
  if (answer === undefined) return undefined;
  const parsed = parse(answer);
  return parsed.success ? parsed.data : undefined;
}
