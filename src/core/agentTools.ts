import * as z from 'zod';
import { SwarmError } from './errors';
import { workerCountSchema } from './groups/groupMembers';
import type { MemberOutcome } from './groups/groupService';
import { summarizeGroup } from './groups/groupSummary';
import { MIGRATION_STRATEGIES } from './migration/migrationPlan';
import { describePlan, describeResult } from './migration/migrationSummary';
import type { Swarm } from './swarm';
import { decodeFile, MAX_FILE_BYTES, readFileArgv, workspacePath, writeFileArgv } from './workspaceFiles';

/** exec_command's output is cut here, with a marker saying how much was left out. */
const MAX_OUTPUT_CHARS = 64 * 1024;
/** exec_in_group's output of each member: a group of many members must still fit an agent's context. */
const MAX_MEMBER_OUTPUT_CHARS = 8 * 1024;
const DEFAULT_EXEC_TIMEOUT_SECONDS = 120;

/**
 * An operation an AI agent may call: the MCP server (remote-swarm mcp) and VS Code's language-model tools offer the
 * same ones, from this one list. `input` is a zod shape; the front ends derive their JSON schemas from it.
 */
export interface AgentTool {
  name: string;
  description: string;
  input: z.ZodRawShape;
  /** Cannot be undone: the front end asks (VS Code) or marks it (MCP); the input also needs `confirm: true`. */
  destructive?: boolean;
  readOnly?: boolean;
  run(swarm: Swarm, input: Record<string, unknown>): Promise<unknown>;
}

function tool<S extends z.ZodRawShape>(definition: Omit<AgentTool, 'input' | 'run'> & { input: S; run(swarm: Swarm, input: z.infer<z.ZodObject<S>>): Promise<unknown> }): AgentTool {
  return definition as unknown as AgentTool;
}

const name = z.string().describe('the instance\'s name');
const confirm = z.boolean().optional().describe('must be true: this cannot be undone');

function capped(output: string, limit = MAX_OUTPUT_CHARS): string {
  return output.length <= limit ? output : `${output.slice(0, limit)}\n[… output truncated: ${output.length - limit} more characters]`;
}

function refuseUnconfirmed(confirmed: boolean | undefined, action: string): void {
  if (confirmed !== true) throw new SwarmError('INVALID_CONFIG', `${action} cannot be undone: call again with confirm: true.`, { details: { field: 'confirm' } });
}

const lifecycle = (verb: 'start' | 'stop' | 'restart', description: string) =>
  tool({ name: `${verb}_instance`, description, input: { name }, run: (swarm, { name: n }) => swarm.controller[verb](n) });

const group = z.string().describe('the group\'s name');

/** The group after an operation on each member, and the members it failed on. */
function groupAfter(swarm: Swarm, name: string, outcomes: readonly MemberOutcome[]) {
  const failed = outcomes.filter((outcome) => outcome.error !== undefined);
  return { ...summarizeGroup(swarm.groups.get(name)), ...(failed.length > 0 ? { failed } : {}) };
}

const groupLifecycle = (verb: 'start' | 'stop' | 'restart', description: string) =>
  tool({ name: `${verb}_group`, description, input: { name: group }, run: async (swarm, { name: n }) => groupAfter(swarm, n, await swarm.groups[verb](n)) });

export const AGENT_TOOLS: readonly AgentTool[] = [
  tool({
    name: 'list_instances',
    description: 'Every instance, brought up to date from its provider: name, provider, status, URL, template, resources.',
    input: {},
    readOnly: true,
    async run(swarm) {
      await swarm.refresher.refresh();
      return swarm.controller.list().map(({ name: n, provider, status, urls, config, lastError }) => ({ name: n, provider, status, url: urls.ide, template: config.template, resources: config.resources, lastError }));
    },
  }),
  tool({
    name: 'create_instance',
    description: 'Create and start a VS Code (code-server) environment from a template. Returns it once it runs.',
    input: {
      name: z.string().describe('lower-case letters, digits and hyphens, e.g. "agent-1"'),
      template: z.string().optional().describe('a template name (default "development"; "agent" is larger)'),
      provider: z.string().optional().describe('where to run it, e.g. "docker" (default: the defaultProvider setting)'),
      image: z.string().optional().describe('an image over the template\'s'),
    },
    run: (swarm, { name: n, template, provider, image }) =>
      swarm.controller.create({ provider: provider ?? swarm.settings.defaultProvider, name: n, template: template ?? 'development', overrides: image === undefined ? {} : { image } }),
  }),
  lifecycle('start', 'Start a stopped instance.'),
  lifecycle('stop', 'Stop an instance; its workspace stays.'),
  lifecycle('restart', 'Restart an instance.'),
  tool({
    name: 'delete_instance',
    description: 'Delete an instance and (unless keepWorkspace) its workspace. Needs confirm: true.',
    input: { name, keepWorkspace: z.boolean().optional(), confirm },
    destructive: true,
    async run(swarm, { name: n, keepWorkspace, confirm: confirmed }) {
      refuseUnconfirmed(confirmed, `Deleting "${n}"`);
      await swarm.controller.delete(n, { keepWorkspace: keepWorkspace === true });
      return `${n} deleted`;
    },
  }),
  tool({
    name: 'migrate_instance',
    description:
      'Move an instance to another provider with its workspace: a new instance is made there and filled (pre-copy copies while the source runs), the copy is verified by both sides\' manifests, and the name moves to it; any failure rolls back. The source is stopped, then kept stopped for keepSourceHours (default 24) or deleted with 0. Needs confirm: true; without it, returns nothing but the plan (target resources, prices, strategy) in the error.',
    input: {
      name,
      to: z.string().describe('the provider type to move to, e.g. "docker", "ssh", "fly"'),
      strategy: z.enum(MIGRATION_STRATEGIES).optional().describe('default: pre-copy for a running instance, stop-and-copy for a stopped one'),
      keepSourceHours: z.number().min(0).optional().describe('hours the stopped source is kept before it is deleted; 0 deletes it at once'),
      workspacePath: z.string().optional().describe('the workspace folder on the target (default: the source\'s)'),
      options: z.record(z.string(), z.unknown()).optional().describe('the target provider\'s options, e.g. an SSH host\'s address'),
      confirm: z.boolean().optional().describe('must be true: the source is stopped, and deleted once its time is up'),
    },
    destructive: true,
    async run(swarm, { name: n, to, strategy, keepSourceHours, workspacePath: folder, options, confirm: confirmed }) {
      const overrides = { ...(folder !== undefined ? { workspacePath: folder } : {}), ...(options !== undefined ? { options } : {}) };
      const plan = swarm.migrations.plan({ instance: n, to, overrides, ...(strategy !== undefined ? { strategy } : {}), ...(keepSourceHours !== undefined ? { keepSourceHours } : {}) });
      refuseUnconfirmed(confirmed, `The move (${describePlan(plan).join(' ')})`);
      const result = await swarm.migrations.migrate(plan);
      const { instance, keptSource, deleteSourceAt, rounds, verifiedEntries, durationMs, unavailableMs } = result;
      return { name: instance.name, provider: instance.provider, url: instance.urls.ide, keptSource: keptSource?.name, deleteSourceAt, rounds, verifiedEntries, durationMs, unavailableMs, summary: describeResult(result) };
    },
  }),
  tool({
    name: 'exec_command',
    description: `Run a program in an instance (an argv array, never a shell string; use ["sh", "-c", "..."] for a shell). Output is cut at ${MAX_OUTPUT_CHARS} characters.`,
    input: {
      name,
      argv: z.array(z.string()).min(1).describe('the program and its arguments'),
      cwd: z.string().optional().describe('working directory, relative to the workspace or absolute inside it'),
      timeoutSeconds: z.number().positive().max(3600).optional().describe(`default ${DEFAULT_EXEC_TIMEOUT_SECONDS}`),
    },
    async run(swarm, { name: n, argv, cwd, timeoutSeconds }) {
      const instance = swarm.controller.get(n);
      const signal = AbortSignal.timeout((timeoutSeconds ?? DEFAULT_EXEC_TIMEOUT_SECONDS) * 1000);
      const result = await swarm.controller.exec(instance.id, argv, { signal, ...(cwd === undefined ? {} : { workdir: workspacePath(instance, cwd) }) });
      return { exitCode: result.exitCode, stdout: capped(result.stdout), stderr: capped(result.stderr) };
    },
  }),
  tool({
    name: 'read_file',
    description: `Read a text file inside an instance's workspace (up to ${MAX_FILE_BYTES / 1024} KiB).`,
    input: { name, path: z.string().describe('relative to the workspace') },
    readOnly: true,
    async run(swarm, { name: n, path }) {
      const instance = swarm.controller.get(n);
      const absolute = workspacePath(instance, path);
      return decodeFile(await swarm.controller.exec(instance.id, readFileArgv(absolute)), absolute).toString('utf8');
    },
  }),
  tool({
    name: 'write_file',
    description: `Write a text file inside an instance's workspace (up to ${MAX_FILE_BYTES / 1024} KiB), making its folder; replaces the file.`,
    input: { name, path: z.string().describe('relative to the workspace'), content: z.string() },
    async run(swarm, { name: n, path, content }) {
      const instance = swarm.controller.get(n);
      const absolute = workspacePath(instance, path);
      const result = await swarm.controller.exec(instance.id, writeFileArgv(absolute, Buffer.from(content, 'utf8')));
      if (result.exitCode !== 0) throw new SwarmError('OPERATION_FAILED', `Writing ${absolute} failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
      return `wrote ${Buffer.byteLength(content)} bytes to ${absolute}`;
    },
  }),
  tool({
    name: 'list_groups',
    description: 'Every group (a coordinator and N workers on a private network), brought up to date: provider, network, status, running/total, and each member\'s role, status and URL.',
    input: {},
    readOnly: true,
    async run(swarm) {
      await swarm.refresher.refresh();
      return swarm.groups.list().map(summarizeGroup);
    },
  }),
  tool({
    name: 'create_group',
    description:
      'Create a group: a coordinator and N workers on their own private network, where members reach each other by role ("coordinator", "worker-1", …) and "workers" resolves to every worker. All or nothing. Returns the group once every member runs.',
    input: {
      name: z.string().describe('lower-case letters, digits and inner hyphens, at most 24 characters, e.g. "swarm-1"; members are named "<name>-coordinator", "<name>-worker-1", …'),
      template: z.string().optional().describe('a group template (default "agent-swarm": a "development" coordinator and 4 "agent" workers)'),
      coordinatorTemplate: z.string().optional().describe('the coordinator\'s instance template, over the group template\'s'),
      workerTemplate: z.string().optional().describe('every worker\'s instance template, over the group template\'s'),
      workers: workerCountSchema.optional().describe('how many workers, over the group template\'s'),
      provider: z.string().optional().describe('where to run it, e.g. "docker" (default: the defaultProvider setting)'),
      image: z.string().optional().describe('an image for every member, over the templates\''),
    },
    run: async (swarm, { name: n, template, coordinatorTemplate, workerTemplate, workers, provider, image }) =>
      summarizeGroup(
        await swarm.groups.create({
          name: n,
          provider: provider ?? swarm.settings.defaultProvider,
          template: template ?? 'agent-swarm',
          ...(coordinatorTemplate === undefined ? {} : { coordinatorTemplate }),
          ...(workerTemplate === undefined ? {} : { workerTemplate }),
          ...(workers === undefined ? {} : { workers }),
          overrides: image === undefined ? {} : { image },
        }),
      ),
  }),
  tool({
    name: 'scale_group',
    description: 'Add or remove the highest-numbered workers until the group has `workers`; the coordinator stays. Removing workers deletes them and their workspaces, which needs confirm: true.',
    input: { name: group, workers: workerCountSchema.describe('how many workers the group should have'), confirm: z.boolean().optional().describe('must be true to remove workers: that cannot be undone') },
    destructive: true,
    async run(swarm, { name: n, workers, confirm: confirmed }) {
      const current = swarm.groups.get(n).workers.length;
      if (workers < current) refuseUnconfirmed(confirmed, `Removing ${current - workers} of the ${current} workers of "${n}" with their workspaces`);
      return summarizeGroup(await swarm.groups.scale(n, workers));
    },
  }),
  groupLifecycle('start', 'Start every member of a group.'),
  groupLifecycle('stop', 'Stop every member of a group; their workspaces stay.'),
  groupLifecycle('restart', 'Restart every member of a group.'),
  tool({
    name: 'delete_group',
    description: 'Delete every member of a group, their workspaces (unless keepWorkspace) and the group\'s network. Needs confirm: true.',
    input: { name: group, keepWorkspace: z.boolean().optional(), confirm },
    destructive: true,
    async run(swarm, { name: n, keepWorkspace, confirm: confirmed }) {
      refuseUnconfirmed(confirmed, `Deleting group "${n}"`);
      const { members } = swarm.groups.get(n);
      await swarm.groups.delete(n, { keepWorkspace: keepWorkspace === true });
      return `${n} deleted (${members.length} members)`;
    },
  }),
  tool({
    name: 'exec_in_group',
    description: `Run the same program on every member of a group at once (an argv array, never a shell string). Each member's exit code and output (cut at ${MAX_MEMBER_OUTPUT_CHARS} characters), or why it could not run.`,
    input: {
      name: group,
      argv: z.array(z.string()).min(1).describe('the program and its arguments'),
      timeoutSeconds: z.number().positive().max(3600).optional().describe(`default ${DEFAULT_EXEC_TIMEOUT_SECONDS}`),
    },
    async run(swarm, { name: n, argv, timeoutSeconds }) {
      const results = await swarm.groups.exec(n, argv, { signal: AbortSignal.timeout((timeoutSeconds ?? DEFAULT_EXEC_TIMEOUT_SECONDS) * 1000) });
      return results.map(({ member, role, result, error }) =>
        result ? { member, role, exitCode: result.exitCode, stdout: capped(result.stdout, MAX_MEMBER_OUTPUT_CHARS), stderr: capped(result.stderr, MAX_MEMBER_OUTPUT_CHARS) } : { member, role, error },
      );
    },
  }),
  tool({
    name: 'get_health',
    description: 'Check every instance that should be running, once: outcome, response time, error.',
    input: {},
    readOnly: true,
    run: async (swarm) =>
      (await swarm.health.sweep()).map(({ instance, sample }) => ({ name: instance.name, outcome: sample.outcome, responseTimeMs: sample.responseTimeMs, error: sample.error })),
  }),
  tool({
    name: 'get_cost',
    description: 'What the instances cost this month, to date and projected, in US dollars.',
    input: {},
    readOnly: true,
    async run(swarm) {
      await swarm.cost.tick();
      return swarm.cost.report();
    },
  }),
];

/** Runs a tool with input validated against its schema; INVALID_CONFIG names the field when it does not fit. */
export async function runAgentTool(swarm: Swarm, agentTool: AgentTool, input: unknown): Promise<unknown> {
  const parsed = z.object(agentTool.input).safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(input)';
    throw new SwarmError('INVALID_CONFIG', `${field}: ${issue?.message ?? 'is not valid'}`, { details: { field } });
  }
  return agentTool.run(swarm, parsed.data);
}
