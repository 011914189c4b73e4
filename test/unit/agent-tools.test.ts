import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageModelToolContributions } from '../../src/core/agentToolManifest';
import { AGENT_TOOLS } from '../../src/core/agentTools';

describe('agent tools', () => {
  it('are declared in package.json exactly as the core defines them (regenerate: npx tsx test/setup/agent-tools-manifest.ts)', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { languageModelTools: unknown } };
    assert.deepEqual(manifest.contributes.languageModelTools, languageModelToolContributions());
  });

  it('mark every tool that destroys something, and it takes a confirm argument', () => {
    const destructive = AGENT_TOOLS.filter((tool) => tool.destructive);
    assert.deepEqual(destructive.map((tool) => tool.name), ['delete_instance', 'migrate_instance', 'scale_group', 'delete_group']);
    for (const tool of destructive) assert.ok('confirm' in tool.input, `${tool.name} takes confirm`);
  });
});
