import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mcpServerLaunch } from '../../src/vscode/mcpServerLaunch';
import { makeTempDir } from '../support/tempDir';
import { packageExtension } from './harness/extensionPackages';
import { REPO_ROOT } from './harness/paths';

/** What VS Code 1.101+ is told to start for Remote Swarm's MCP server: the packaged CLI bundle, answering a real MCP client. */
describe('the MCP server the extension offers to VS Code', function () {
  this.timeout(300_000);

  it('starts from the packaged bundle and lists Remote Swarm\'s tools', async () => {
    await packageExtension();
    const { command, args, env } = mcpServerLaunch(REPO_ROOT);
    const state = makeTempDir('remote-swarm-mcp-launch-');
    const client = new Client({ name: 'remote-swarm-test', version: '1.0.0' });
    try {
      await client.connect(new StdioClientTransport({ command, args, env: { ...(process.env as Record<string, string>), ...env, REMOTE_SWARM_STATE_DIR: state.path }, stderr: 'pipe' }));
      const { tools } = await client.listTools();
      assert.ok(tools.some((tool) => tool.name === 'create_instance'), `tools: ${tools.map((tool) => tool.name).join(', ')}`);
    } finally {
      await client.close();
      state.remove();
    }
  });
});
