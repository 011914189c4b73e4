import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as z from 'zod';
import { errorMessage, SwarmError } from '../core/errors';
import type { Swarm } from '../core/swarm';
import { decodeFile, readFileArgv, workspacePath, writeFileArgv } from './workspaceFiles';

/** exec_command's output is cut here, with a marker saying how much was left out. */
export const MAX_OUTPUT_CHARS = 64 * 1024;
const DEFAULT_EXEC_TIMEOUT_SECONDS = 120;

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const text = (value: unknown): ToolResult => ({ content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }] });

/** A tool's failure as the agent reads it: the error's message and, where there is one, what fixes it. */
function failure(error: unknown): ToolResult {
  const remedy = SwarmError.is(error) && error.remedy ? ` (fix: ${JSON.stringify(error.remedy)})` : '';
  const code = SwarmError.is(error) ? `${error.code}: ` : '';
  return { content: [{ type: 'text', text: `${code}${errorMessage(error)}${remedy}` }], isError: true };
}

function capped(output: string): string {
  return output.length <= MAX_OUTPUT_CHARS ? output : `${output.slice(0, MAX_OUTPUT_CHARS)}\n[… output truncated: ${output.length - MAX_OUTPUT_CHARS} more characters]`;
}

const name = z.string().describe('the instance\'s name');
const confirm = z.boolean().optional().describe('must be true: this cannot be undone');

/** Remote Swarm's operations as MCP tools over one swarm, and its instances as resources. */
export function createMcpServer(swarm: Swarm, version: string): McpServer {
  const server = new McpServer({ name: 'remote-swarm', version });
  const { controller } = swarm;
  const tool = <S extends z.ZodRawShape>(
    toolName: string,
    description: string,
    inputSchema: S,
    run: (input: z.infer<z.ZodObject<S>>) => Promise<unknown>,
    annotations: { destructiveHint?: boolean; readOnlyHint?: boolean } = {},
  ) =>
    server.registerTool(toolName, { description, inputSchema, annotations }, (async (input: z.infer<z.ZodObject<S>>) => {
      try {
        return text(await run(input));
      } catch (error) {
        return failure(error);
      }
    }) as never);

  tool('list_instances', 'Every instance, brought up to date from its provider: name, provider, status, URL, template, resources.', {}, async () => {
    await swarm.refresher.refresh();
    return controller.list().map(({ name: n, provider, status, urls, config, lastError }) => ({ name: n, provider, status, url: urls.ide, template: config.template, resources: config.resources, lastError }));
  }, { readOnlyHint: true });

  tool(
    'create_instance',
    'Create and start a VS Code (code-server) environment from a template. Returns it once it runs.',
    {
      name: z.string().describe('lower-case letters, digits and hyphens, e.g. "agent-1"'),
      template: z.string().optional().describe('a template name (default "development"; "agent" is larger)'),
      provider: z.string().optional().describe('where to run it, e.g. "docker" (default: the defaultProvider setting)'),
      image: z.string().optional().describe('an image over the template\'s'),
    },
    async ({ name: n, template, provider, image }) =>
      controller.create({ provider: provider ?? swarm.settings.defaultProvider, name: n, template: template ?? 'development', overrides: image === undefined ? {} : { image } }),
  );

  for (const [verb, description] of [
    ['start', 'Start a stopped instance.'],
    ['stop', 'Stop an instance; its workspace stays.'],
    ['restart', 'Restart an instance.'],
  ] as const) {
    tool(`${verb}_instance`, description, { name }, async ({ name: n }) => controller[verb](n));
  }

  tool(
    'delete_instance',
    'Delete an instance and (unless keepWorkspace) its workspace. Needs confirm: true.',
    { name, keepWorkspace: z.boolean().optional(), confirm },
    async ({ name: n, keepWorkspace, confirm: confirmed }) => {
      if (confirmed !== true) throw new SwarmError('INVALID_CONFIG', `Deleting "${n}" cannot be undone: call again with confirm: true.`, { details: { field: 'confirm' } });
      await controller.delete(n, { keepWorkspace: keepWorkspace === true });
      return `${n} deleted`;
    },
    { destructiveHint: true },
  );

  tool(
    'exec_command',
    `Run a program in an instance (an argv array, never a shell string; use ["sh", "-c", "..."] for a shell). Output is cut at ${MAX_OUTPUT_CHARS} characters.`,
    {
      name,
      argv: z.array(z.string()).min(1).describe('the program and its arguments'),
      cwd: z.string().optional().describe('working directory, relative to the workspace or absolute inside it'),
      timeoutSeconds: z.number().positive().max(3600).optional().describe(`default ${DEFAULT_EXEC_TIMEOUT_SECONDS}`),
    },
    async ({ name: n, argv, cwd, timeoutSeconds }) => {
      const instance = controller.get(n);
      const signal = AbortSignal.timeout((timeoutSeconds ?? DEFAULT_EXEC_TIMEOUT_SECONDS) * 1000);
      const result = await controller.exec(instance.id, argv, { signal, ...(cwd === undefined ? {} : { workdir: workspacePath(instance, cwd) }) });
      return { exitCode: result.exitCode, stdout: capped(result.stdout), stderr: capped(result.stderr) };
    },
  );

  tool('read_file', 'Read a text file inside an instance\'s workspace (up to 256 KiB).', { name, path: z.string().describe('relative to the workspace') }, async ({ name: n, path }) => {
    const instance = controller.get(n);
    const absolute = workspacePath(instance, path);
    return decodeFile(await controller.exec(instance.id, readFileArgv(absolute)), absolute).toString('utf8');
  }, { readOnlyHint: true });

  tool(
    'write_file',
    'Write a text file inside an instance\'s workspace (up to 256 KiB), making its folder; replaces the file.',
    { name, path: z.string().describe('relative to the workspace'), content: z.string() },
    async ({ name: n, path, content }) => {
      const instance = controller.get(n);
      const absolute = workspacePath(instance, path);
      const result = await controller.exec(instance.id, writeFileArgv(absolute, Buffer.from(content, 'utf8')));
      if (result.exitCode !== 0) throw new SwarmError('OPERATION_FAILED', `Writing ${absolute} failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
      return `wrote ${Buffer.byteLength(content)} bytes to ${absolute}`;
    },
  );

  tool('get_health', 'Check every instance that should be running, once: outcome, response time, error.', {}, async () =>
    (await swarm.health.sweep()).map(({ instance, sample }) => ({ name: instance.name, outcome: sample.outcome, responseTimeMs: sample.responseTimeMs, error: sample.error })),
  { readOnlyHint: true });

  tool('get_cost', 'What the instances cost this month, to date and projected, in US dollars.', {}, async () => {
    await swarm.cost.tick();
    return swarm.cost.report();
  }, { readOnlyHint: true });

  server.registerResource(
    'instance',
    new ResourceTemplate('remote-swarm://instances/{name}', {
      list: async () => ({ resources: controller.list().map((instance) => ({ uri: `remote-swarm://instances/${instance.name}`, name: instance.name, mimeType: 'application/json' })) }),
    }),
    { description: 'An instance as Remote Swarm knows it', mimeType: 'application/json' },
    async (uri, { name: n }) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(controller.get(String(n)), null, 2) }] }),
  );
  return server;
}

/** Serves MCP on stdin/stdout until the client closes the connection. */
export async function serveMcp(swarm: Swarm, version: string): Promise<void> {
  const server = createMcpServer(swarm, version);
  const transport = new StdioServerTransport();
  // The SDK's stdio transport does not notice the client going away; stdin's end is that.
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
