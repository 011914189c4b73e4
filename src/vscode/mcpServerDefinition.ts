import * as vscode from 'vscode';
import { mcpServerLaunch } from './mcpServerLaunch';

/** The id package.json's contributes.mcpServerDefinitionProviders declares. */
export const MCP_SERVER_PROVIDER_ID = 'remoteSwarm.mcpServer';

/** What VS Code 1.101+ adds for MCP servers; @types/vscode 1.100 does not know it, so it is looked up at run time. */
interface McpApi {
  registerMcpServerDefinitionProvider?(id: string, provider: { provideMcpServerDefinitions(): unknown[] }): vscode.Disposable;
}
type McpStdioServerDefinitionClass = new (label: string, command: string, args: string[], env?: Record<string, string>) => unknown;

/**
 * Offers `remote-swarm mcp` to VS Code's agents where VS Code has the MCP server definition API (1.101+); older hosts
 * (code-server 4.100) do without, and the language-model tools serve their agents.
 */
export function registerMcpServerDefinition(context: vscode.ExtensionContext): vscode.Disposable {
  const lm = vscode.lm as unknown as McpApi;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: McpStdioServerDefinitionClass }).McpStdioServerDefinition;
  if (!lm.registerMcpServerDefinitionProvider || !Definition) return new vscode.Disposable(() => undefined);
  const { command, args, env } = mcpServerLaunch(context.extensionPath);
  return lm.registerMcpServerDefinitionProvider(MCP_SERVER_PROVIDER_ID, { provideMcpServerDefinitions: () => [new Definition('Remote Swarm', command, args, env)] });
}
