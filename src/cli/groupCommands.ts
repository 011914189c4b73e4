import type { Command } from 'commander';
import type { CreateGroupInput, GroupPlan, MemberExecResult, MemberOutcome } from '../core/groups/groupService';
import { summarizeGroup } from '../core/groups/groupSummary';
import type { Group } from '../core/groups/groupView';
import type { Swarm } from '../core/swarm';
import { EXIT, JSON_OPTION, printJson, printTable } from './cliOutput';
import { ALLOW_NETWORK_OPTION, CPUS_OPTION, IMAGE_OPTION, MEMORY_OPTION, numberOption, PROVIDER_OPTION, sizeOverrides, type SizeOptions } from './commandOptions';
import { refreshInstances, type RunWithSwarm } from './instanceCommands';
import { withProgress } from './progress';

type CreateOptions = SizeOptions & { template: string; coordinatorTemplate?: string; workerTemplate?: string; workers?: string; provider?: string; allowNetwork?: boolean; json?: boolean };

/** group create, list, show, scale, start, stop, restart, delete (destroy), exec, templates. */
export function registerGroupCommands(program: Command, run: RunWithSwarm): void {
  const group = program.command('group').description('groups: a coordinator and N workers on a private network, made, scaled and run as one');

  group
    .command('create <name>')
    .description('create a group and start its members, all or nothing: a failure or Ctrl+C leaves no member and no network')
    .option('-t, --template <template>', 'a group template (see: remote-swarm group templates)', 'agent-swarm')
    .option('--coordinator-template <template>', 'the coordinator\'s instance template, over the group template\'s')
    .option('--worker-template <template>', 'every worker\'s instance template, over the group template\'s')
    .option('-w, --workers <count>', 'how many workers, over the group template\'s')
    .option(...PROVIDER_OPTION)
    .option(...IMAGE_OPTION)
    .option(...CPUS_OPTION)
    .option(...MEMORY_OPTION)
    .option(...ALLOW_NETWORK_OPTION)
    .option(...JSON_OPTION)
    .action((name: string, options: CreateOptions) =>
      run(async (swarm) => {
        const input = createInput(swarm, name, options);
        if (!options.json) printPlan(swarm.groups.plan(input));
        const created = await withProgress(`Creating group ${name}`, (progress) => swarm.groups.create(input, progress), { interruptible: true });
        if (options.json) return printJson(summarizeGroup(created));
        process.stdout.write(`${headline(created)}\n`);
      }),
    );

  group
    .command('list')
    .alias('ls')
    .description('the groups, brought up to date from their providers')
    .option(...JSON_OPTION)
    .option('--cached', 'do not ask the providers; show what was last seen')
    .action((options: { json?: boolean; cached?: boolean }) =>
      run(async (swarm) => {
        if (!options.cached) await refreshInstances(swarm);
        const groups = swarm.groups.list();
        if (options.json) return printJson(groups.map(summarizeGroup));
        printTable(['NAME', 'PROVIDER', 'RUNNING', 'STATUS'], groups.map((g) => [g.name, g.provider, `${g.running}/${g.members.length}`, g.status]));
      }),
    );

  group
    .command('show <name>')
    .description('a group\'s members with their roles, statuses and URLs')
    .option(...JSON_OPTION)
    .action((name: string, options: { json?: boolean }) =>
      run(async (swarm) => {
        const shown = summarizeGroup(swarm.groups.get(name));
        if (options.json) return printJson(shown);
        process.stdout.write(`${shown.name} on ${shown.provider}, network ${shown.network}: ${shown.running} of ${shown.total} members running (${shown.status})\n`);
        printTable(['MEMBER', 'ROLE', 'STATUS', 'URL', 'ERROR'], shown.members.map((m) => [m.name, m.role, m.status, m.url ?? '', m.lastError ?? '']));
      }),
    );

  group
    .command('scale <name> <workers>')
    .description('add or remove the highest-numbered workers until there are <workers>; the coordinator stays')
    .option(...ALLOW_NETWORK_OPTION)
    .option(...JSON_OPTION)
    .action((name: string, count: string, options: { allowNetwork?: boolean; json?: boolean }) =>
      run(async (swarm) => {
        const workers = numberOption(count, 'workers') ?? 0;
        const scaled = await withProgress(`Scaling group ${name} to ${workers} workers`, (progress) => swarm.groups.scale(name, workers, { ...progress, allowNetworkExposure: options.allowNetwork === true }));
        if (options.json) return printJson(summarizeGroup(scaled));
        process.stdout.write(`${headline(scaled)}\n`);
      }),
    );

  for (const [verb, description, doing] of [
    ['start', 'start every member', 'Starting'],
    ['restart', 'restart every member', 'Restarting'],
  ] as const) {
    group
      .command(`${verb} <name>`)
      .description(`${description}; exits 1 if any member failed`)
      .action((name: string) => run(async (swarm) => printOutcomes(swarm, await withProgress(`${doing} group ${name}`, (progress) => swarm.groups[verb](name, progress)))));
  }

  group
    .command('stop <name>')
    .description('stop every member, their workspaces stay; exits 1 if any member failed')
    .option('--force', 'kill them instead of a graceful stop')
    .action((name: string, options: { force?: boolean }) =>
      run(async (swarm) => printOutcomes(swarm, await withProgress(`Stopping group ${name}`, (progress) => swarm.groups.stop(name, { ...progress, force: options.force === true })))),
    );

  group
    .command('delete <name>')
    .alias('destroy')
    .description('delete every member and the group\'s network')
    .option('--keep-workspace', 'keep the members\' workspace volumes')
    .option('-y, --yes', 'do not ask; required when not on a terminal')
    .action((name: string, options: { keepWorkspace?: boolean; yes?: boolean }) =>
      run(async (swarm) => {
        const doomed = swarm.groups.get(name);
        if (!options.yes) {
          process.stderr.write(`Deleting group "${doomed.name}" (${doomed.members.length} members${options.keepWorkspace ? '' : ' and their workspaces'}) needs --yes.\n`);
          return EXIT.invalid;
        }
        await withProgress(`Deleting group ${name}`, (progress) => swarm.groups.delete(name, { ...progress, keepWorkspace: options.keepWorkspace === true }));
        process.stdout.write(`${doomed.name} deleted (${doomed.members.length} members)\n`);
      }),
    );

  group
    .command('exec <name> <argv...>')
    .description('run a program on every member at once (put -- before its arguments); exits 0 when every member exited 0, else 1')
    .option(...JSON_OPTION)
    .action((name: string, argv: string[], options: { json?: boolean }) =>
      run(async (swarm) => {
        const results = await swarm.groups.exec(name, argv);
        if (options.json) printJson(results.map(execJson));
        else printTable(['MEMBER', 'ROLE', 'EXIT', 'OUTPUT'], results.map((r) => [r.member, r.role, r.result ? String(r.result.exitCode) : '-', firstLine(r)]));
        return results.every((r) => r.result?.exitCode === 0) ? EXIT.ok : EXIT.failed;
      }),
    );

  group
    .command('templates')
    .description('the group templates (built-in and the groupTemplates setting)')
    .option(...JSON_OPTION)
    .action((options: { json?: boolean }) =>
      run(async (swarm) => {
        const { templates, problems } = swarm.groupTemplates();
        for (const problem of problems) process.stderr.write(`warning: ${problem}\n`);
        if (options.json) return printJson(templates);
        printTable(['NAME', 'COORDINATOR', 'WORKER', 'WORKERS', 'DESCRIPTION'], templates.map((t) => [t.name, t.coordinator, t.worker, String(t.workers), t.description]));
      }),
    );
}

function createInput(swarm: Swarm, name: string, options: CreateOptions): CreateGroupInput {
  const workers = numberOption(options.workers, 'workers');
  return {
    name,
    provider: options.provider ?? swarm.settings.defaultProvider,
    template: options.template,
    ...(options.coordinatorTemplate === undefined ? {} : { coordinatorTemplate: options.coordinatorTemplate }),
    ...(options.workerTemplate === undefined ? {} : { workerTemplate: options.workerTemplate }),
    ...(workers === undefined ? {} : { workers }),
    overrides: sizeOverrides(options),
    allowNetworkExposure: options.allowNetwork === true,
  };
}

/** What Create Group is about to make, printed before it starts. */
function printPlan(plan: GroupPlan): void {
  const network = plan.network === undefined ? 'no private network' : `network ${plan.network}`;
  process.stdout.write(`Group ${plan.name} on ${plan.provider}, ${network}: a ${plan.coordinatorTemplate} coordinator and ${count(plan.workers, `${plan.workerTemplate} worker`)}\n`);
  printTable(['MEMBER', 'ROLE', 'TEMPLATE'], plan.members.map((member) => [member.name, member.overrides?.groupRole ?? '', member.template ?? '']));
}

function headline(group: Group): string {
  return `${group.name}: ${group.running} of ${group.members.length} members running, ${count(group.workers.length, 'worker')} (${group.status})`;
}

function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}

/** Each member after a start, stop or restart; 1 when any failed. */
function printOutcomes(swarm: Swarm, outcomes: readonly MemberOutcome[]): number {
  printTable(['MEMBER', 'ROLE', 'STATUS'], outcomes.map((o) => [o.member, o.role, o.error === undefined ? swarm.controller.get(o.member).status : `failed: ${o.error}`]));
  return outcomes.every((o) => o.error === undefined) ? EXIT.ok : EXIT.failed;
}

function execJson({ member, role, result, error }: MemberExecResult) {
  return { member, role, exitCode: result?.exitCode, stdout: result?.stdout, stderr: result?.stderr, error };
}

/** The first line a member printed (its output, else its errors), or why it could not run. */
function firstLine({ result, error }: MemberExecResult): string {
  if (!result) return `could not run: ${error ?? 'unknown error'}`;
  const text = result.stdout.trim() || result.stderr.trim();
  return text.split('\n', 1)[0] ?? '';
}
