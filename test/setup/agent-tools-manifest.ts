// Writes package.json's contributes.languageModelTools from src/core/agentTools.ts, so the tools VS Code offers are
// exactly the ones the MCP server offers. Run after changing a tool: npx tsx test/setup/agent-tools-manifest.ts
// (test/unit/agent-tools.test.ts fails while package.json is out of date).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageModelToolContributions } from '../../src/core/agentToolManifest';

const path = join(__dirname, '..', '..', 'package.json');
const manifest = JSON.parse(readFileSync(path, 'utf8')) as { contributes: Record<string, unknown> };
manifest.contributes.languageModelTools = languageModelToolContributions();
writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
