import { join } from 'node:path';

/** How to start the `remote-swarm mcp` server this extension ships: its own Node.js (VS Code's, run as Node) and dist/cli.js. */
export interface McpServerLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export function mcpServerLaunch(extensionPath: string, nodeExecutable: string = process.execPath): McpServerLaunch {
  // VS Code's executable is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node.js, as the extension host itself is.
  return { command: nodeExecutable, args: [join(extensionPath, 'dist', 'cli.js'), 'mcp'], env: { ELECTRON_RUN_AS_NODE: '1' } };
}
