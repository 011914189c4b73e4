import * as vscode from 'vscode';
import { mcpServerLaunch } from './mcpServerLaunch';

/** The id package.json's contributes.mcpServerDefinitionProviders declares. */
const MCP_SERVER_PROVIDER_ID = 'remoteSwarm.mcpServer';

/** What VS Code 1.101+ adds for MCP servers; @types/vscode 1.100 does not know it, so it is looked up at run time. */
interface McpApi {
  registerMcpServerDefinitionProvider?(id: string, provider: { provideMcpServerDefinitions(): unknown[] }): vscode.Disposable;
}
type McpStdioServerDefinitionClass = new (label: string, command: string, args: string[], env?: Record<string, string>) => unknown;

/**
 * Offers `remote-swarm mcp` to VS Code's agents where VS Code has the MCP server definition API (1.101+); older hosts
 * (code-server 4.100) do without, and the language-model tools serve their agents.
 */
export function registerMcpServerDefinition(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const none = new vscode.Disposable(() => undefined);
  const lm = vscode.lm as unknown as McpApi;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: McpStdioServerDefinitionClass }).McpStdioServerDefinition;
  // 1.100 has a proposed API of the same name that wants another contribution point: only the final one (1.101+) is used.
  if (!lm.registerMcpServerDefinitionProvider || !Definition || !isAtLeast(vscode.version, 1, 101)) return none;
  const { command, args, env } = mcpServerLaunch(context.extensionPath);
  try {
    return lm.registerMcpServerDefinitionProvider(MCP_SERVER_PROVIDER_ID, { provideMcpServerDefinitions: () => [new Definition('Remote Swarm', command, args, env)] });
  } catch (error) {
    // An MCP API other than the one this was written for must not keep the rest of Remote Swarm from starting.
    log.warn(`Could not offer Remote Swarm's MCP server to VS Code: ${error instanceof Error ? error.message : String(error)}`);
    return none;
  }
}

function isAtLeast(version: string, major: number, minor: number): boolean {
  const [actualMajor = 0, actualMinor = 0] = version.split('.').map(Number);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}
