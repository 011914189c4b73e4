import * as vscode from 'vscode';
import type { CreateInstanceInput, SwarmController } from '../core/controller';
import type { Instance } from '../core/models';
import type { OperationOptions, ProviderCapabilities } from '../core/provider';
import type { ProviderPool } from '../core/providerPool';
import type { TemplateCatalog } from '../core/templates';
import { copyPassword, copyUrl } from './browserAccess';
import type { IdeOpener } from './connect/ideOpener';
import { canChangeResources, changeResources } from './changeResources';
import { COMMANDS } from './contributions';
import { askCreateAnswers } from './createInstanceWizard';
import { askNetworkExposure, askSecretEnv, portPublishing } from './createInstanceSafeguards';
import type { InstanceLogViewer } from './instanceLogs';
import { resolveInstance, type InstanceArgument, type PickOptions } from './instancePicker';
import type { RefreshScheduler } from '../core/refreshScheduler';
import type { StatusGroup } from './instanceTreeItems';
import { reportError } from './notifications';
import { runOperation } from './operationProgress';
import type { SwarmSettings } from '../core/settings';

export interface CommandDependencies {
  controller: SwarmController;
  /** The instances selected in the Instances view. */
  selected: () => readonly Instance[];
  /** Opens code-server signed in, once it serves. */
  opener: IdeOpener;
  pool: ProviderPool;
  settings: SwarmSettings;
  templates: () => TemplateCatalog;
  refresher: RefreshScheduler;
  logViewer: InstanceLogViewer;
  log: vscode.LogOutputChannel;
}

/** A lifecycle step as the progress and error notification name it, e.g. verb "start", progress "Starting". */
interface LifecycleAction {
  verb: string;
  progress: string;
  run: (options: OperationOptions) => Promise<unknown>;
}

const OPEN_IN_BROWSER = 'Open in Browser';
const COPY_PASSWORD = 'Copy Password';
const REMOVE_WORKSPACE = 'Delete and Remove Workspace';
const KEEP_WORKSPACE = 'Delete but Keep Workspace';
const FORGET_HOST = 'Remove from Remote Swarm';
const RESET_PASSWORD = 'Reset Password';

// Where each command applies; the view/item/context when-clauses in package.json say the same.
const ALL: readonly StatusGroup[] = ['running', 'stopped', 'transitional', 'error', 'missing', 'unknown'];
const STARTABLE: readonly StatusGroup[] = ['stopped', 'error', 'unknown'];
const STOPPABLE: readonly StatusGroup[] = ['running', 'error', 'unknown'];
const WITH_LOGS: readonly StatusGroup[] = ['running', 'stopped', 'error', 'unknown'];
const DELETABLE: readonly StatusGroup[] = ['running', 'stopped', 'error', 'missing', 'unknown'];
const RESIZABLE: readonly StatusGroup[] = ['running', 'stopped'];

export function registerCommands(deps: CommandDependencies): vscode.Disposable {
  const { controller, refresher, logViewer, log } = deps;
  const onInstance = (pick: PickOptions, act: (instance: Instance) => Promise<unknown>) => async (argument?: InstanceArgument) => {
    const instance = await resolveInstance(deps, argument, pick);
    if (instance) await act(instance);
  };
  const capabilities = (instance: Instance) => deps.pool.describe(instance.provider)?.capabilities;
  const can = (capability: keyof ProviderCapabilities) => (instance: Instance) => capabilities(instance)?.[capability] === true;
  const lifecycle = (
    verb: string,
    progress: string,
    groups: readonly StatusGroup[],
    run: (id: string, options: OperationOptions) => Promise<unknown>,
    accepts?: (instance: Instance) => boolean,
  ) =>
    onInstance(pickOptions(verb, groups, accepts), (instance) => runLifecycle(deps, instance, { verb, progress, run: (options) => run(instance.id, options) }));

  const handlers: Record<string, (argument?: InstanceArgument) => Promise<unknown>> = {
    [COMMANDS.createInstance]: () => createInstance(deps),
    [COMMANDS.startInstance]: lifecycle('start', 'Starting', STARTABLE, (id, options) => controller.start(id, options)),
    [COMMANDS.stopInstance]: lifecycle('stop', 'Stopping', STOPPABLE, (id, options) => controller.stop(id, options)),
    [COMMANDS.restartInstance]: lifecycle('restart', 'Restarting', ['running'], (id, options) => controller.restart(id, options), can('restart')),
    [COMMANDS.deleteInstance]: onInstance(pickOptions('delete', DELETABLE), (instance) => deleteInstance(deps, instance)),
    [COMMANDS.openInBrowser]: onInstance(pickOptions('open', ['running'], hasUrl), (instance) => deps.opener.openInBrowser(instance)),
    [COMMANDS.copyUrl]: onInstance(pickOptions('copy the URL of', ALL, hasUrl), copyUrl),
    [COMMANDS.copyPassword]: onInstance(pickOptions('copy the password of', ALL, usesPassword), (instance) => copyPassword(controller, instance)),
    [COMMANDS.resetPassword]: onInstance(pickOptions('reset the password of', STOPPABLE, (instance) => usesPassword(instance) && can('passwordReset')(instance)), (instance) =>
      resetPassword(deps, instance),
    ),
    [COMMANDS.changeResources]: onInstance(pickOptions('change the resources of', RESIZABLE, (instance) => canChangeResources(capabilities(instance))), (instance) =>
      changeResources({ controller, capabilities, log }, instance),
    ),
    [COMMANDS.showLogs]: onInstance(pickOptions('show the logs of', WITH_LOGS, can('logs')), (instance) => logViewer.show(instance)),
    [COMMANDS.refresh]: () => refresh(refresher, log),
    [COMMANDS.showOutput]: async () => log.show(),
  };
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([command, handler]) =>
      vscode.commands.registerCommand(command, (argument?: InstanceArgument) =>
        handler(argument).catch((error: unknown) => reportError(log, { title: 'Remote Swarm', error })),
      ),
    ),
  );
}

export function pickOptions(verb: string, groups: readonly StatusGroup[], accepts?: (instance: Instance) => boolean): PickOptions {
  return { placeHolder: `Instance to ${verb}`, groups, accepts, noneMessage: `Remote Swarm: there is no instance to ${verb}.` };
}

export function hasUrl(instance: Instance): boolean {
  return instance.urls.ide !== undefined;
}

function usesPassword(instance: Instance): boolean {
  return instance.config.auth.type === 'password';
}

/** Start, stop, restart and delete: under progress, a failure as one notification offering Retry. */
function runLifecycle(deps: CommandDependencies, instance: Instance, action: LifecycleAction): Promise<unknown> {
  return runOperation(deps.log, {
    title: `${action.progress} "${instance.name}"`,
    failure: `Could not ${action.verb} "${instance.name}"`,
    run: action.run,
    retry: () => runLifecycle(deps, instance, action),
  });
}

async function deleteInstance(deps: CommandDependencies, instance: Instance): Promise<void> {
  const capabilities = deps.pool.describe(instance.provider)?.capabilities;
  if (capabilities?.provisions === false) return forgetExistingHost(deps, instance);
  const canKeep = capabilities?.keepWorkspaceOnDelete === true;
  const choices = canKeep ? [REMOVE_WORKSPACE, KEEP_WORKSPACE] : [REMOVE_WORKSPACE];
  const detail = canKeep
    ? 'Its container is removed. Its workspace volume holds the files you worked on: remove it too, or keep it for a later instance.'
    : 'It is removed together with its workspace.';
  const choice = await vscode.window.showWarningMessage(`Delete the instance "${instance.name}"?`, { modal: true, detail }, ...choices);
  if (choice === undefined) return;
  const keepWorkspace = choice === KEEP_WORKSPACE;
  await runLifecycle(deps, instance, { verb: 'delete', progress: 'Deleting', run: (options) => deps.controller.delete(instance.id, { ...options, keepWorkspace }) });
}

/** An existing machine (e.g. an SSH host) is not Remote Swarm's to delete: it is only forgotten. */
async function forgetExistingHost(deps: CommandDependencies, instance: Instance): Promise<void> {
  const detail = 'It is an existing machine: Remote Swarm stops what it started there and forgets it. The machine and the files on it stay as they are.';
  const choice = await vscode.window.showWarningMessage(`Remove "${instance.name}" from Remote Swarm?`, { modal: true, detail }, FORGET_HOST);
  if (choice !== FORGET_HOST) return;
  await runLifecycle(deps, instance, { verb: 'remove', progress: 'Removing', run: (options) => deps.controller.delete(instance.id, { ...options, keepWorkspace: true }) });
}

/** A new generated password, once confirmed: whoever is signed in with the old one is signed out. */
async function resetPassword(deps: CommandDependencies, instance: Instance): Promise<void> {
  const detail = 'Remote Swarm generates a new code-server password and applies it (a container is made anew around its workspace; code-server on an SSH host restarts). Browsers signed in with the old one must sign in again.';
  const choice = await vscode.window.showWarningMessage(`Reset the password of "${instance.name}"?`, { modal: true, detail }, RESET_PASSWORD);
  if (choice !== RESET_PASSWORD) return;
  await runLifecycle(deps, instance, { verb: 'reset the password of', progress: 'Resetting the password of', run: (options) => deps.controller.resetPassword(instance.id, options) });
}

async function createInstance(deps: CommandDependencies): Promise<void> {
  const { controller, pool, settings, templates } = deps;
  const answers = await askCreateAnswers({
    // Providers of existing machines add them their own way (e.g. Add SSH Host).
    providers: pool.types().filter(({ capabilities }) => capabilities.provisions),
    defaultProvider: settings.defaultProvider,
    templates: templates().templates,
    nameTaken: (name) => controller.registry.findByName(name) !== undefined,
  });
  if (!answers) return;
  const template = templates().templates.find((candidate) => candidate.name === answers.template);
  const allowNetworkExposure = await askNetworkExposure(template, portPublishing(pool, answers.provider));
  if (allowNetworkExposure === undefined) return;
  const secretEnv = await askSecretEnv(template, answers.name);
  if (secretEnv === undefined) return;
  await runCreate(deps, { ...answers, allowNetworkExposure, secretEnv });
}

/** Creates under a cancellable notification; Retry runs it again with the same answers. */
async function runCreate(deps: CommandDependencies, answers: CreateInstanceInput): Promise<void> {
  const { controller, log } = deps;
  const instance = await runOperation(log, {
    title: `Creating "${answers.name}"`,
    failure: `Could not create "${answers.name}"`,
    location: vscode.ProgressLocation.Notification,
    cancellable: true,
    run: (options) => controller.create(answers, options),
    retry: () => runCreate(deps, answers),
  });
  if (instance) announceCreated(deps, instance);
}

function announceCreated({ controller, opener, log }: CommandDependencies, instance: Instance): void {
  const actions = [...(hasUrl(instance) ? [OPEN_IN_BROWSER] : []), ...(usesPassword(instance) ? [COPY_PASSWORD] : [])];
  void vscode.window.showInformationMessage(`Instance "${instance.name}" is ${instance.status}.`, ...actions).then((choice) => {
    const action = choice === OPEN_IN_BROWSER ? opener.openInBrowser(instance) : choice === COPY_PASSWORD ? copyPassword(controller, instance) : undefined;
    action?.catch((error: unknown) => reportError(log, { title: `${choice} failed for "${instance.name}"`, error }));
  });
}

async function refresh(refresher: RefreshScheduler, log: vscode.LogOutputChannel): Promise<void> {
  try {
    await refresher.refresh();
  } catch (error) {
    reportError(log, { title: 'Could not refresh the instances', error, retry: () => refresh(refresher, log) });
  }
}
