import * as vscode from 'vscode';
import { LANGUAGE_MODEL_TOOL_PREFIX } from '../core/agentToolManifest';
import { AGENT_TOOLS, runAgentTool, type AgentTool } from '../core/agentTools';
import { errorMessage } from '../core/errors';
import type { Swarm } from '../core/swarm';

/**
 * The agent tools (src/core/agentTools.ts, the same the MCP server offers) as VS Code language-model tools, declared in
 * package.json. A destructive one asks the user first, showing what it will do.
 */
export function registerLanguageModelTools(swarm: Swarm, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(...AGENT_TOOLS.map((agentTool) => vscode.lm.registerTool(`${LANGUAGE_MODEL_TOOL_PREFIX}${agentTool.name}`, languageModelTool(swarm, agentTool, log))));
}

function languageModelTool(swarm: Swarm, agentTool: AgentTool, log: vscode.LogOutputChannel): vscode.LanguageModelTool<Record<string, unknown>> {
  return {
    prepareInvocation({ input }) {
      const target = typeof input.name === 'string' ? ` "${input.name}"` : '';
      const invocationMessage = `Remote Swarm: ${agentTool.name.replace(/_/g, ' ')}${target}`;
      if (!agentTool.destructive) return { invocationMessage };
      return {
        invocationMessage,
        confirmationMessages: { title: `Remote Swarm: ${agentTool.name.replace(/_/g, ' ')}${target}?`, message: `${agentTool.description} This cannot be undone.` },
      };
    },
    async invoke({ input }) {
      try {
        // VS Code asked the user before invoking a destructive tool: that answer is the confirmation.
        const result = await runAgentTool(swarm, agentTool, agentTool.destructive ? { ...input, confirm: true } : input);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(typeof result === 'string' ? result : JSON.stringify(result, null, 2))]);
      } catch (error) {
        log.warn(`Language-model tool ${agentTool.name} failed: ${errorMessage(error)}`);
        // The model reads the failure and can correct its call; throwing would only say that the tool failed.
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`Error: ${errorMessage(error)}`)]);
      }
    },
  };
}
