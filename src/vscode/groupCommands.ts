import * as vscode from 'vscode';
import { throwIfAnyFailed, type CreateGroupInput, type MemberOutcome } from '../core/groups/groupService';
import type { Group, GroupStatus } from '../core/groups/groupView';
import type { OperationOptions } from '../core/provider';
import type { Swarm } from '../core/swarm';
import { COMMANDS } from './contributions';
import { askCreateGroupAnswers } from './createGroupWizard';
import { askNetworkExposure, portPublishing } from './createInstanceSafeguards';
import { execResultsMarkdown, parseCommandLine } from './groupCommandLine';
import { groupNameTaken, parseWorkerCount } from './groupInput';
import { groupPlanSummary } from './groupPlanSummary';
import { GroupRunDocuments } from './groupRunDocuments';
import type { GroupNode } from './instanceTreeItems';
import { reportError } from './notifications';
import { runOperation } from './operationProgress';
import type { InstanceTerminals } from './terminals/instanceTerminals';

export interface GroupCommandDependencies {
  swarm: Swarm;
  terminals: InstanceTerminals;
  log: vscode.LogOutputChannel;
}

/** What a group command receives: the tree node it was run on, a group name (API, tests), or nothing (palette). */
export type GroupArgument = GroupNode | string | undefined;

interface GroupPick {
  /** e.g. "start": "Group to start", "there is no group to start". */
  verb: string;
  /** The statuses the command applies to, as its menu when-clauses say. */
  statuses: readonly GroupStatus[];
}

const CREATE_GROUP = 'Create Group';
const REMOVE_WORKERS = 'Remove Workers';
const REMOVE_WORKSPACES = 'Delete and Remove Workspaces';
const KEEP_WORKSPACES = 'Delete but Keep Workspaces';

// Where each command applies; the view/item/context when-clauses in package.json say the same.
const ANY: readonly GroupStatus[] = ['running', 'partial', 'stopped', 'error', 'busy'];
const SETTLED: readonly GroupStatus[] = ['running', 'partial', 'stopped', 'error'];
const STARTABLE: readonly GroupStatus[] = ['partial', 'stopped', 'error'];
const WITH_RUNNING: readonly GroupStatus[] = ['running', 'partial', 'error'];

/** Create, scale, start, stop, restart and delete groups, run a command on every member, open a terminal on each. */
export function registerGroupCommands(deps: GroupCommandDependencies): vscode.Disposable {
  const { swarm, log } = deps;
  const documents = new GroupRunDocuments();
  const onGroup = (pick: GroupPick, act: (group: Group) => Promise<unknown>) => async (argument?: GroupArgument) => {
    const group = await resolveGroup(swarm, argument, pick);
    if (group) await act(group);
  };
  const eachMember = (verb: string, progress: string, statuses: readonly GroupStatus[], run: (name: string, options: OperationOptions) => Promise<MemberOutcome[]>) =>
    onGroup({ verb, statuses }, (group) =>
      runOperation(log, {
        title: `${progress} group "${group.name}"`,
        failure: `Could not ${verb} group "${group.name}"`,
        run: async (options) => throwIfAnyFailed(await run(group.name, options), `${progress} group "${group.name}"`),
      }),
    );
  let lastCommandLine = 'hostname';

  const handlers: Record<string, (argument?: GroupArgument) => Promise<unknown>> = {
    [COMMANDS.createGroup]: () => createGroup(deps),
    [COMMANDS.scaleGroup]: onGroup({ verb: 'scale', statuses: SETTLED }, (group) => scaleGroup(deps, group)),
    [COMMANDS.startGroup]: eachMember('start', 'Starting', STARTABLE, (name, options) => swarm.groups.start(name, options)),
    [COMMANDS.stopGroup]: eachMember('stop', 'Stopping', WITH_RUNNING, (name, options) => swarm.groups.stop(name, options)),
    [COMMANDS.restartGroup]: eachMember('restart', 'Restarting', WITH_RUNNING, (name, options) => swarm.groups.restart(name, options)),
    [COMMANDS.deleteGroup]: onGroup({ verb: 'delete', statuses: ANY }, (group) => deleteGroup(deps, group)),
    [COMMANDS.runInGroup]: onGroup({ verb: 'run a command in', statuses: WITH_RUNNING }, async (group) => {
      const line = await vscode.window.showInputBox({
        title: `Run Command in Group "${group.name}"`,
        prompt: `Runs on each of its ${group.members.length} members as arguments, without a shell (for pipes or variables: sh -c '…')`,
        value: lastCommandLine,
        validateInput: (value) => parseCommandLine(value).problem,
      });
      const argv = line === undefined ? undefined : parseCommandLine(line).argv;
      if (!line || !argv) return;
      lastCommandLine = line;
      const ranAt = new Date();
      const results = await runOperation(log, {
        title: `Running "${line}" in group "${group.name}"`,
        failure: `Could not run "${line}" in group "${group.name}"`,
        location: vscode.ProgressLocation.Notification,
        cancellable: true,
        run: (options) => swarm.groups.exec(group.name, argv, options),
      });
      if (results) await documents.show(group.name, execResultsMarkdown(group.name, argv, results, ranAt));
    }),
    [COMMANDS.openGroupTerminals]: onGroup({ verb: 'open terminals for', statuses: WITH_RUNNING }, async (group) => openGroupTerminals(deps, group)),
  };
  return vscode.Disposable.from(
    documents,
    ...Object.entries(handlers).map(([command, handler]) =>
      vscode.commands.registerCommand(command, (argument?: GroupArgument) => handler(argument).catch((error: unknown) => reportError(log, { title: 'Remote Swarm', error }))),
    ),
  );
}

/** The group a command acts on, as it is now: the one it was given, else the user's pick among those it applies to. */
async function resolveGroup({ groups }: Swarm, argument: GroupArgument, { verb, statuses }: GroupPick): Promise<Group | undefined> {
  if (argument !== undefined) return groups.get(typeof argument === 'string' ? argument : argument.group.name);
  const candidates = groups.list().filter((group) => statuses.includes(group.status));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Remote Swarm: there is no group to ${verb}.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((group) => ({ label: group.name, description: `${group.running}/${group.members.length} running · ${group.provider}`, group })),
    { placeHolder: `Group to ${verb}` },
  );
  return picked?.group;
}

async function createGroup(deps: GroupCommandDependencies): Promise<void> {
  const { swarm } = deps;
  const groupTemplates = swarm.groupTemplates();
  if (groupTemplates.problems.length > 0) deps.log.warn(`remoteSwarm.groupTemplates: skipped ${groupTemplates.problems.join('; ')}`);
  const templates = swarm.templates().templates;
  const answers = await askCreateGroupAnswers({
    // Providers of existing machines add them their own way (e.g. Add SSH Host).
    providers: swarm.providers
      .types()
      .filter(({ capabilities }) => capabilities.provisions)
      .map(({ type, displayName, capabilities }) => ({ type, displayName, privateNetworks: capabilities.privateNetworks === true })),
    defaultProvider: swarm.settings.defaultProvider,
    groupTemplates: groupTemplates.templates,
    templates,
    nameTaken: (name) =>
      groupNameTaken(
        name,
        (group) => swarm.groups.list().some((candidate) => candidate.name === group),
        (instance) => swarm.controller.registry.findByName(instance) !== undefined,
      ),
  });
  if (!answers) return;
  const plan = swarm.groups.plan(answers);
  const providerName = swarm.providers.describe(plan.provider)?.displayName ?? plan.provider;
  const { question, detail } = groupPlanSummary(plan, providerName);
  if ((await vscode.window.showWarningMessage(question, { modal: true, detail }, CREATE_GROUP)) !== CREATE_GROUP) return;
  // One consent covers the coordinator's and the workers' templates: each is asked about only if it publishes beyond loopback.
  let allowNetworkExposure = false;
  for (const name of new Set([plan.coordinatorTemplate, plan.workerTemplate])) {
    const consent = await askNetworkExposure(templates.find((template) => template.name === name), portPublishing(swarm.providers, plan.provider));
    if (consent === undefined) return;
    allowNetworkExposure ||= consent;
  }
  await runCreateGroup(deps, { ...answers, allowNetworkExposure });
}

/** Creates under a cancellable notification (a cancel removes what was made); Retry runs it again with the same answers. */
async function runCreateGroup(deps: GroupCommandDependencies, input: CreateGroupInput): Promise<void> {
  const group = await runOperation(deps.log, {
    title: `Creating group "${input.name}"`,
    failure: `Could not create group "${input.name}" (no member of it is left)`,
    location: vscode.ProgressLocation.Notification,
    cancellable: true,
    run: (options) => deps.swarm.groups.create(input, options),
    retry: () => runCreateGroup(deps, input),
  });
  if (group) void vscode.window.showInformationMessage(`Group "${group.name}": ${group.running} of ${group.members.length} members running on network ${group.network}.`);
}

async function scaleGroup(deps: GroupCommandDependencies, group: Group): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: `Scale Group "${group.name}"`,
    prompt: `Number of workers (now ${group.workers.length}); the coordinator stays. Fewer removes the highest-numbered workers with their workspaces.`,
    value: String(group.workers.length),
    validateInput: (value) => parseWorkerCount(value).problem,
  });
  const workers = text === undefined ? undefined : parseWorkerCount(text).workers;
  if (workers === undefined || workers === group.workers.length) return;
  if (workers < group.workers.length) {
    const leaving = group.workers.slice(workers).map((worker) => worker.name);
    const detail = `${leaving.join(', ')} ${leaving.length === 1 ? 'is' : 'are'} removed with ${leaving.length === 1 ? 'its workspace' : 'their workspaces'}.`;
    const choice = await vscode.window.showWarningMessage(`Remove ${leaving.length} worker${leaving.length === 1 ? '' : 's'} from group "${group.name}"?`, { modal: true, detail }, REMOVE_WORKERS);
    if (choice !== REMOVE_WORKERS) return;
  }
  await runOperation(deps.log, {
    title: `Scaling group "${group.name}" to ${workers} workers`,
    failure: `Could not scale group "${group.name}" to ${workers} workers`,
    location: vscode.ProgressLocation.Notification,
    cancellable: true,
    run: (options) => deps.swarm.groups.scale(group.name, workers, options),
  });
}

async function deleteGroup(deps: GroupCommandDependencies, group: Group): Promise<void> {
  const canKeep = deps.swarm.providers.describe(group.provider)?.capabilities.keepWorkspaceOnDelete === true;
  const members = `${group.members.length} member${group.members.length === 1 ? '' : 's'}`;
  const detail =
    `Its ${members} (${group.coordinator ? 'the coordinator and ' : ''}${group.workers.length} worker${group.workers.length === 1 ? '' : 's'}) ` +
    `are removed, then its network ${group.network}. ` +
    (canKeep ? 'Their workspace volumes hold the files worked on: remove them too, or keep them.' : 'Their workspaces are removed with them.');
  const choice = await vscode.window.showWarningMessage(`Delete the group "${group.name}" and its ${members}?`, { modal: true, detail }, ...(canKeep ? [REMOVE_WORKSPACES, KEEP_WORKSPACES] : [REMOVE_WORKSPACES]));
  if (choice === undefined) return;
  await runOperation(deps.log, {
    title: `Deleting group "${group.name}"`,
    failure: `Could not delete group "${group.name}"`,
    location: vscode.ProgressLocation.Notification,
    run: (options) => deps.swarm.groups.delete(group.name, { ...options, keepWorkspace: choice === KEEP_WORKSPACES }),
  });
}

/** One terminal per running member, split side by side in one group of the terminal panel (location.parentTerminal). */
function openGroupTerminals({ swarm, terminals }: GroupCommandDependencies, group: Group): void {
  const canShell = swarm.providers.describe(group.provider)?.capabilities.shell === true;
  const running = group.members.filter((member) => member.status === 'running');
  if (!canShell || running.length === 0) {
    void vscode.window.showInformationMessage(canShell ? `No member of group "${group.name}" is running.` : `${group.provider} instances have no terminal.`);
    return;
  }
  const [first, ...rest] = running;
  const parent = terminals.openTerminal(first!);
  for (const member of rest) terminals.openTerminal(member, parent);
}
