import * as vscode from 'vscode';
import type { BackupManifest, BackupOperationOptions } from '../core/backups/backupService';
import { BACKUP_SECRETS } from '../core/backups/backupSettings';
import { bytesProgressText, formatBytes } from '../core/byteSize';
import type { Instance } from '../core/models';
import type { OperationOptions } from '../core/provider';
import type { Swarm } from '../core/swarm';
import { pickOptions } from './commands';
import { COMMANDS } from './contributions';
import { resolveInstance, type InstanceArgument } from './instancePicker';
import { reportError } from './notifications';
import { runOperation } from './operationProgress';
import { askProviderSecret } from './providerSecrets';

export interface BackupCommandDependencies {
  swarm: Swarm;
  /** The instances selected in the Instances view. */
  selected: () => readonly Instance[];
  secrets: vscode.SecretStorage;
  log: vscode.LogOutputChannel;
}

const NEW_INSTANCE = '$(add) New instance…';
const RESTORE_RUNNING = 'Restore into the Running Instance';

/** Back Up Workspace, Restore Workspace…, Set Backup Storage Credentials. */
export function registerBackupCommands(deps: BackupCommandDependencies): vscode.Disposable {
  const { swarm, log } = deps;
  const source = { controller: swarm.controller, selected: deps.selected };
  const transfers = (instance: Instance) => swarm.providers.describe(instance.provider)?.capabilities.workspaceTransfer === true;
  const handlers: Record<string, (argument?: InstanceArgument) => Promise<unknown>> = {
    [COMMANDS.backUpWorkspace]: async (argument) => {
      const instance = await resolveInstance(source, argument, pickOptions('back up', ['running', 'stopped'], transfers));
      if (instance) await backUp(deps, instance);
    },
    [COMMANDS.restoreWorkspace]: async (argument) => restore(deps, argument === undefined ? undefined : await resolveInstance(source, argument, pickOptions('restore onto', ['running', 'stopped'], transfers))),
    [COMMANDS.setBackupCredentials]: async () => {
      for (const secret of Object.values(BACKUP_SECRETS)) await askProviderSecret(secret, deps.secrets, swarm);
    },
  };
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([command, handler]) =>
      vscode.commands.registerCommand(command, (argument?: InstanceArgument) => handler(argument).catch((error: unknown) => reportError(log, { title: 'Remote Swarm', error }))),
    ),
  );
}

async function backUp({ swarm, log }: BackupCommandDependencies, instance: Instance): Promise<void> {
  const manifest = await runOperation(log, {
    title: `Backing up "${instance.name}"`,
    failure: `Could not back up "${instance.name}"`,
    location: vscode.ProgressLocation.Notification,
    cancellable: true,
    run: (options) => swarm.backups.backUp(instance.id, withBytes(options, 'read')),
  });
  if (manifest) void vscode.window.showInformationMessage(`Backed up "${instance.name}" as ${manifest.id} (${formatBytes(manifest.archive.bytes)}).`);
}

/** Picks a backup, then where it goes: onto `onto` when given, else an instance or a new one the user names. */
async function restore(deps: BackupCommandDependencies, onto: Instance | undefined): Promise<void> {
  const { swarm, log } = deps;
  const backups = await runOperation(log, { title: 'Listing backups', failure: 'Could not list the backups', run: () => swarm.backups.list() });
  if (!backups) return;
  if (backups.length === 0) {
    void vscode.window.showInformationMessage('Remote Swarm: the backup bucket holds no backup yet. Back Up Workspace makes one.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    backups.map((backup) => ({ label: backup.id, description: `${backup.instance.provider} · ${formatBytes(backup.workspaceBytes)}`, backup })),
    { title: 'Restore Workspace', placeHolder: 'Backup to restore', matchOnDescription: true },
  );
  if (!picked) return;
  const to = onto?.name ?? (await askTarget(swarm, picked.backup));
  if (to === undefined) return;
  const existing = swarm.controller.list().find((instance) => instance.name === to);
  let overwriteRunning = false;
  if (existing && existing.status !== 'stopped') {
    const detail = `Files in the backup replace the instance's own while it runs; its other files stay. Stop "${to}" first to restore onto it at rest.`;
    if ((await vscode.window.showWarningMessage(`"${to}" is ${existing.status}. Restore into it anyway?`, { modal: true, detail }, RESTORE_RUNNING)) !== RESTORE_RUNNING) return;
    overwriteRunning = true;
  }
  const result = await runOperation(log, {
    title: `Restoring ${picked.backup.id} ${existing ? 'onto' : 'into'} "${to}"`,
    failure: `Could not restore ${picked.backup.id}`,
    location: vscode.ProgressLocation.Notification,
    cancellable: true,
    run: (options) => swarm.backups.restore(picked.backup.id, { to, overwriteRunning }, withBytes(options, 'downloaded')),
  });
  if (result) void vscode.window.showInformationMessage(`Restored ${picked.backup.id} ${result.created ? 'into the new instance' : 'onto'} "${result.instance.name}".`);
}

/** An existing instance that can take a workspace, or a new one (named by the user, made like the backed-up one). */
async function askTarget(swarm: Swarm, backup: BackupManifest): Promise<string | undefined> {
  const candidates = swarm.controller.list().filter((instance) => swarm.providers.describe(instance.provider)?.capabilities.workspaceTransfer === true && instance.status !== 'missing');
  const choice = await vscode.window.showQuickPick([{ label: NEW_INSTANCE, description: `made like "${backup.instance.name}" on ${backup.instance.provider}` }, ...candidates.map((instance) => ({ label: instance.name, description: instance.status }))], {
    title: 'Restore Workspace',
    placeHolder: 'Restore into',
  });
  if (!choice) return undefined;
  if (choice.label !== NEW_INSTANCE) return choice.label;
  return vscode.window.showInputBox({
    title: 'Restore Workspace: new instance',
    prompt: 'Name of the new instance',
    value: `${backup.instance.name}-restored`,
    validateInput: (name) => (swarm.controller.registry.findByName(name) ? `"${name}" exists already` : undefined),
  });
}

function withBytes(options: OperationOptions, verb: string): BackupOperationOptions {
  return { ...options, onBytes: (bytes) => options.onProgress?.(bytesProgressText(bytes, verb)) };
}
