import * as z from 'zod';
import { AGENT_TOOLS } from './agentTools';

/** The prefix of Remote Swarm's language-model tool names in VS Code, which are global across extensions. */
export const LANGUAGE_MODEL_TOOL_PREFIX = 'remoteSwarm_';

/** package.json's contributes.languageModelTools, derived from the agent tools (VS Code needs them declared statically). */
export function languageModelToolContributions(): Record<string, unknown>[] {
  return AGENT_TOOLS.map((agentTool) => {
    const { $schema: _schema, ...inputSchema } = z.toJSONSchema(z.object(agentTool.input)) as Record<string, unknown>;
    return {
      name: `${LANGUAGE_MODEL_TOOL_PREFIX}${agentTool.name}`,
      toolReferenceName: agentTool.name,
      displayName: agentTool.name.replace(/_/g, ' ').replace(/^./, (first) => first.toUpperCase()),
      modelDescription: `Remote Swarm: ${agentTool.description}`,
      canBeReferencedInPrompt: true,
      icon: '$(remote-explorer)',
      tags: ['remote-swarm'],
      inputSchema,
    };
  });
}
