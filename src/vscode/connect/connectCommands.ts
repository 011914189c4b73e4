import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SwarmController } from '../../core/controller';
import type { Instance } from '../../core/models';
import type { ProviderPool } from '../../core/providerPool';
import { SSH_PROVIDER_TYPE } from '../../providers/ssh';
import { isSshReachable } from '../../ssh/sshAccess';
import type { SshToolkit } from '../../ssh/sshToolkit';
import { hasUrl, pickOptions } from '../commands';
import { COMMANDS } from '../contributions';
import { resolveInstance, type InstanceArgument, type PickOptions } from '../instancePicker';
import { reportError } from '../notifications';
import { runOperation } from '../operationProgress';
import type { InstanceTerminals } from '../terminals/instanceTerminals';
import { askSshHostAnswers, type SshHostAnswers } from './addSshHostWizard';
import { waysInto, type ConnectionWay } from './connectionWays';
import type { IdeOpener } from './ideOpener';
import { attachVsCode } from './devContainerAttach';
import { connectRemoteSsh } from './remoteSshConnect';

export interface ConnectDependencies {
  controller: SwarmController;
  /** The instances selected in the Instances view. */
  selected: () => readonly Instance[];
  /** Opens code-server signed in, once it serves. */
  opener: IdeOpener;
  pool: ProviderPool;
  ssh: SshToolkit;
  terminals: InstanceTerminals;
  log: vscode.LogOutputChannel;
}

const OPEN_TERMINAL = 'Open Terminal';
const CONNECT_REMOTE_SSH = 'Connect via Remote-SSH';

/**
 * The ways into an instance besides the browser: a VS Code tab, a Dev Containers window, a Remote-SSH window, an
 * integrated terminal; Connect to Instance, which offers the ways the instance has; and Add SSH Host.
 */
export function registerConnectCommands(deps: ConnectDependencies): vscode.Disposable {
  const { controller, pool, terminals, log } = deps;
  const capability = (name: 'shell' | 'attachContainer') => (instance: Instance) => pool.describe(instance.provider)?.capabilities[name] === true;
  const onInstance = (pick: PickOptions, act: (instance: Instance) => Promise<unknown>) => async (argument?: InstanceArgument) => {
    const instance = await resolveInstance(deps, argument, pick);
    if (instance) await act(instance);
  };
  const ways = (instance: Instance) => waysInto(instance, pool.describe(instance.provider)?.capabilities);
  const handlers: Record<string, (argument?: InstanceArgument) => Promise<unknown>> = {
    [COMMANDS.connectToInstance]: onInstance(pickOptions('connect to', ['running'], (instance) => ways(instance).length > 0), (instance) =>
      connectToInstance(instance, ways(instance)),
    ),
    [COMMANDS.openInVsCodeTab]: onInstance(pickOptions('open in a VS Code tab', ['running'], hasUrl), (instance) => deps.opener.openInTab(instance)),
    [COMMANDS.attachVsCode]: onInstance(pickOptions('attach VS Code to', ['running'], capability('attachContainer')), async (instance) =>
      attachVsCode(instance, (await controller.endpoints(instance.id)).container),
    ),
    [COMMANDS.connectRemoteSsh]: onInstance(pickOptions('connect to via Remote-SSH', ['running'], isSshReachable), (instance) => connectRemoteSsh(instance, deps)),
    [COMMANDS.openTerminal]: onInstance(pickOptions('open a terminal in', ['running'], capability('shell')), async (instance) => terminals.openTerminal(instance)),
    [COMMANDS.addSshHost]: () => addSshHost(deps),
  };
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([command, handler]) =>
      vscode.commands.registerCommand(command, (argument?: InstanceArgument) =>
        handler(argument).catch((error: unknown) => reportError(log, { title: 'Remote Swarm', error })),
      ),
    ),
  );
}

/** Asks which of the instance's ways to take, then takes it through its own command. */
async function connectToInstance(instance: Instance, ways: readonly ConnectionWay[]): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    ways.map((way) => ({ label: way.label, description: way.phrase, way })),
    { placeHolder: `How to open "${instance.name}"` },
  );
  if (picked) await vscode.commands.executeCommand(picked.way.command, instance.id);
}

/** Adds an existing machine: asks where and how, then connects under progress (the host key is checked with the user on first use). */
async function addSshHost(deps: ConnectDependencies): Promise<void> {
  const answers = await askSshHostAnswers({
    defaultUser: userInfo().username,
    userSshDir: join(homedir(), '.ssh'),
    nameTaken: (name) => deps.controller.registry.findByName(name) !== undefined,
  });
  if (answers) await runAddSshHost(deps, answers);
}

async function runAddSshHost(deps: ConnectDependencies, { name, sshHost, workspacePath }: SshHostAnswers): Promise<void> {
  const { host, port, user } = sshHost;
  const instance = await runOperation(deps.log, {
    title: `Adding SSH host "${name}"`,
    failure: `Could not add "${name}" (${user}@${host}:${port})`,
    location: vscode.ProgressLocation.Notification,
    run: (options) => deps.controller.create({ provider: SSH_PROVIDER_TYPE, name, overrides: { image: `ssh://${user}@${host}:${port}`, workspacePath, options: sshHost } }, options),
    retry: () => runAddSshHost(deps, { name, sshHost, workspacePath }),
  });
  if (!instance) return;
  const ide = instance.urls.ide ? 'code-server runs there' : 'no code-server found there (terminals and Remote-SSH work)';
  const choice = await vscode.window.showInformationMessage(`SSH host "${name}" added: ${ide}.`, OPEN_TERMINAL, CONNECT_REMOTE_SSH);
  if (choice === OPEN_TERMINAL) deps.terminals.openTerminal(instance);
  if (choice === CONNECT_REMOTE_SSH) await connectRemoteSsh(instance, deps);
}
