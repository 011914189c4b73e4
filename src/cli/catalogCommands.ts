import type { Command } from 'commander';
import { invalidConfig } from '../core/errors';
import { EXIT, JSON_OPTION, printJson, printTable } from './cliOutput';
import type { RunWithSwarm } from './instanceCommands';

/** templates, providers, health, cost, secret set. */
export function registerCatalogCommands(program: Command, run: RunWithSwarm): void {
  program
    .command('templates')
    .description('the templates instances are made from (built-in and the templates setting)')
    .option(...JSON_OPTION)
    .action((options: { json?: boolean }) =>
      run(async (swarm) => {
        const { templates } = swarm.templates();
        if (options.json) return printJson(templates);
        printTable(['NAME', 'CPU', 'MEMORY', 'DESCRIPTION'], templates.map((t) => [t.name, String(t.resources.cpuCores ?? ''), t.resources.memoryMB ? `${t.resources.memoryMB} MB` : '', t.description]));
      }),
    );

  program
    .command('providers')
    .description('where instances can run, and what each can do')
    .option(...JSON_OPTION)
    .action((options: { json?: boolean }) =>
      run(async (swarm) => {
        const providers = swarm.providers.types().map(({ type, displayName, capabilities, secrets }) => ({ type, displayName, capabilities, secrets: (secrets ?? []).map((secret) => secret.key) }));
        if (options.json) return printJson(providers);
        printTable(['TYPE', 'NAME', 'CAN'], providers.map((p) => [p.type, p.displayName, Object.entries(p.capabilities).filter(([, can]) => can).map(([name]) => name).join(' ')]));
      }),
    );

  program
    .command('health')
    .description('check every instance that should be running, once')
    .option(...JSON_OPTION)
    .action((options: { json?: boolean }) =>
      run(async (swarm) => {
        const checks = await swarm.health.sweep();
        const rows = checks.map(({ instance, sample }) => ({ name: instance.name, outcome: sample.outcome, responseTimeMs: sample.responseTimeMs, error: sample.error }));
        if (options.json) return printJson(rows);
        printTable(['NAME', 'CHECK', 'LATENCY', 'ERROR'], rows.map((row) => [row.name, row.outcome, row.responseTimeMs === undefined ? '' : `${Math.round(row.responseTimeMs)} ms`, row.error ?? '']));
        return rows.every((row) => row.outcome === 'pass') ? EXIT.ok : EXIT.failed;
      }),
    );

  program
    .command('cost')
    .description('month to date and projected, per instance')
    .option(...JSON_OPTION)
    .action((options: { json?: boolean }) =>
      run(async (swarm) => {
        await swarm.cost.tick();
        const report = swarm.cost.report();
        if (options.json) return printJson(report);
        printTable(['INSTANCE', 'MONTH TO DATE', 'PROJECTED'], report.instances.map((row) => [row.name, `$${row.monthToDate.toFixed(2)}`, `$${row.projected.toFixed(2)}`]));
      }),
    );

  program
    .command('mcp')
    .description('serve Remote Swarm to an AI agent as an MCP server on stdin/stdout')
    .action(() =>
      run(async (swarm) => {
        // Loaded only for this command: the MCP SDK is no part of the others' start-up.
        const { serveMcp } = await import('./mcpServer');
        await serveMcp(swarm, program.version() ?? 'development');
      }),
    );

  const secret = program.command('secret').description('secrets providers and backups read (e.g. remoteSwarm.fly.apiToken), kept in a 0600 file');
  secret
    .command('set <key>')
    .description('store a secret read from stdin; an empty value removes it')
    .action((key: string) =>
      run(async (swarm) => {
        const known = swarm.secretsToSet();
        if (!known.some((candidate) => candidate.key === key)) throw invalidConfig('key', `"${key}" is not a secret Remote Swarm reads; use one of: ${known.map((s) => s.key).join(', ')}`);
        const value = (await readStdin()).trim();
        if (value === '') await swarm.secrets.delete(key);
        else await swarm.secrets.store(key, value);
        swarm.providers.reset();
        process.stderr.write(`${key} ${value === '' ? 'removed' : 'stored'}\n`);
      }),
    );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
