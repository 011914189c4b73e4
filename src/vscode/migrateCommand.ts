import * as vscode from 'vscode';
import { DEFAULT_KEEP_SOURCE_HOURS, type MigrationRequest, type MigrationStrategy } from '../core/migration/migrationPlan';
import { describeProgress } from '../core/migration/migrationProgress';
import { describePlan, describeResult } from '../core/migration/migrationSummary';
import type { Instance } from '../core/models';
import type { Swarm } from '../core/swarm';
import { COMMANDS } from './contributions';
import { resolveInstance, type InstanceArgument } from './instancePicker';
import { reportError } from './notifications';
import { runOperation } from './operationProgress';
import type { InstanceTerminals } from './terminals/instanceTerminals';

export interface MigrateCommandDependencies {
  swarm: Swarm;
  /** The instances selected in the Instances view. */
  selected: () => readonly Instance[];
  terminals: InstanceTerminals;
  log: vscode.LogOutputChannel;
}

const MIGRATE = 'Migrate';

/** Migrate Instance…: target provider, its options where it needs them, strategy and what becomes of the source; the plan in a modal; the move under a cancellable notification. */
export function registerMigrateCommand(deps: MigrateCommandDependencies): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.migrateInstance, (argument?: InstanceArgument) =>
    migrateInstance(deps, argument).catch((error: unknown) => reportError(deps.log, { title: 'Could not migrate', error })),
  );
}

async function migrateInstance(deps: MigrateCommandDependencies, argument: InstanceArgument): Promise<void> {
  const { swarm, terminals, log } = deps;
  const canMove = (instance: Instance) => swarm.providers.describe(instance.provider)?.capabilities.workspaceTransfer === true;
  const source = await resolveInstance({ controller: swarm.controller, selected: deps.selected }, argument, {
    placeHolder: 'Instance to migrate',
    groups: ['running', 'stopped'],
    accepts: canMove,
    noneMessage: 'Remote Swarm: there is no running or stopped instance whose workspace can be moved.',
  });
  if (!source) return;
  const request = await askRequest(swarm, source);
  if (!request) return;
  const plan = swarm.migrations.plan(request);
  const choice = await vscode.window.showWarningMessage(`Migrate "${source.name}" to ${swarm.providers.describe(plan.target.provider)?.displayName ?? plan.target.provider}?`, { modal: true, detail: describePlan(plan).join('\n') }, MIGRATE);
  if (choice !== MIGRATE) return;
  const result = await runOperation(log, {
    title: `Migrating "${source.name}"`,
    failure: `Could not migrate "${source.name}"; it is back as it was`,
    location: vscode.ProgressLocation.Notification,
    cancellable: true,
    run: ({ onProgress, ...options }) => swarm.migrations.migrate(plan, { ...options, onProgress: (progress) => onProgress?.(describeProgress(progress)) }),
  });
  if (!result) return;
  terminals.moveTerminals(source.id, result.instance);
  log.info(describeResult(result));
  void vscode.window.showInformationMessage(describeResult(result));
}

async function askRequest(swarm: Swarm, source: Instance): Promise<MigrationRequest | undefined> {
  const providers = swarm.providers.types().filter(({ capabilities }) => capabilities.workspaceTransfer);
  const target = await vscode.window.showQuickPick(
    providers.map((provider) => ({ label: provider.displayName, description: provider.type === source.provider ? 'the same provider, a new instance' : provider.type, provider })),
    { placeHolder: `Move "${source.name}" (${source.provider}) to` },
  );
  if (!target) return undefined;
  const options = await askOptions(target.provider);
  if (!options) return undefined;
  const workspacePath = target.provider.capabilities.provisions
    ? source.config.workspacePath
    : await vscode.window.showInputBox({ prompt: 'The workspace folder on that host', value: source.config.workspacePath, validateInput: (value) => (value.startsWith('/') ? undefined : 'an absolute path, e.g. /home/me/project') });
  if (!workspacePath) return undefined;
  const running = source.status === 'running';
  const strategy = await vscode.window.showQuickPick(
    [
      { label: 'Pre-copy', description: running ? 'recommended' : '', detail: 'Copy while it runs, then stop it for the last changes only', strategy: 'pre-copy' as MigrationStrategy },
      { label: 'Stop and copy', description: running ? '' : 'recommended', detail: 'Stop it for the whole copy', strategy: 'stop-and-copy' as MigrationStrategy },
    ].sort((a) => (a.description ? -1 : 1)),
    { placeHolder: 'How to copy the workspace' },
  );
  if (!strategy) return undefined;
  const keep = await vscode.window.showQuickPick(
    [
      { label: `Keep the source stopped for ${DEFAULT_KEEP_SOURCE_HOURS} hours`, hours: DEFAULT_KEEP_SOURCE_HOURS },
      { label: 'Keep the source stopped for 7 days', hours: 7 * 24 },
      { label: 'Delete the source once the move succeeded', hours: 0 },
    ],
    { placeHolder: 'After the move' },
  );
  if (!keep) return undefined;
  return {
    instance: source.id,
    to: target.provider.type,
    strategy: strategy.strategy,
    keepSourceHours: keep.hours,
    overrides: { workspacePath, ...(Object.keys(options).length > 0 ? { options } : {}) },
  };
}

/** The target provider's required instance options (an SSH host's address), asked one by one. */
async function askOptions(provider: ReturnType<Swarm['providers']['types']>[number]): Promise<Record<string, unknown> | undefined> {
  const options: Record<string, unknown> = {};
  for (const field of provider.instanceOptions?.fields.filter(({ required }) => required) ?? []) {
    const value = await vscode.window.showInputBox({ prompt: `${provider.displayName}: ${field.name}`, placeHolder: field.description, ignoreFocusOut: true });
    if (value === undefined) return undefined;
    options[field.name] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return options;
}
