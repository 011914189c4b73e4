import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AGENT_TOOLS, runAgentTool } from '../core/agentTools';
import { errorMessage, SwarmError } from '../core/errors';
import type { Swarm } from '../core/swarm';

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const text = (value: unknown): ToolResult => ({ content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }] });

/** A tool's failure as the agent reads it: the error's code and message and, where there is one, what fixes it. */
function failure(error: unknown): ToolResult {
  const remedy = SwarmError.is(error) && error.remedy ? ` (fix: ${JSON.stringify(error.remedy)})` : '';
  const code = SwarmError.is(error) ? `${error.code}: ` : '';
  return { content: [{ type: 'text', text: `${code}${errorMessage(error)}${remedy}` }], isError: true };
}

/** Remote Swarm's agent tools (src/core/agentTools.ts) over MCP, and its instances as resources. */
function createMcpServer(swarm: Swarm, version: string): McpServer {
  const server = new McpServer({ name: 'remote-swarm', version });
  for (const agentTool of AGENT_TOOLS) {
    const annotations = { destructiveHint: agentTool.destructive === true, readOnlyHint: agentTool.readOnly === true };
    server.registerTool(agentTool.name, { description: agentTool.description, inputSchema: agentTool.input, annotations }, (async (input: unknown) => {
      try {
        return text(await runAgentTool(swarm, agentTool, input));
      } catch (error) {
        return failure(error);
      }
    }) as never);
  }
  server.registerResource(
    'instance',
    new ResourceTemplate('remote-swarm://instances/{name}', {
      list: async () => ({ resources: swarm.controller.list().map((instance) => ({ uri: `remote-swarm://instances/${instance.name}`, name: instance.name, mimeType: 'application/json' })) }),
    }),
    { description: 'An instance as Remote Swarm knows it', mimeType: 'application/json' },
    async (uri, { name }) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(swarm.controller.get(String(name)), null, 2) }] }),
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
