import type { Command } from 'commander';
import { invalidConfig } from '../core/errors';
import { MIGRATION_STRATEGIES, type MigrationRequest, type MigrationStrategy } from '../core/migration/migrationPlan';
import { describeProgress } from '../core/migration/migrationProgress';
import { describePlan, describeResult } from '../core/migration/migrationSummary';
import { EXIT, JSON_OPTION, printJson } from './cliOutput';
import { ALLOW_NETWORK_OPTION, CPUS_OPTION, IMAGE_OPTION, MEMORY_OPTION, numberOption, sizeOverrides, type SizeOptions } from './commandOptions';
import type { RunWithSwarm } from './instanceCommands';
import { withProgress } from './progress';

type MigrateOptions = SizeOptions & {
  to: string;
  strategy?: string;
  keepSourceHours?: string;
  deleteSource?: boolean;
  option?: string[];
  workspace?: string;
  allowNetwork?: boolean;
  yes?: boolean;
  json?: boolean;
};

/** `migrate <name> --to <provider>`: the plan, then with --yes the move under progress (Ctrl+C rolls it back). */
export function registerMigrateCommand(program: Command, run: RunWithSwarm): void {
  program
    .command('migrate <name>')
    .description('move an instance to another provider with its workspace, verified; a failure or Ctrl+C puts it back as it was')
    .requiredOption('--to <provider>', 'the provider to move it to (see: remote-swarm providers)')
    .option('--strategy <strategy>', `${MIGRATION_STRATEGIES.join(' or ')}; default pre-copy for a running instance`)
    .option('--keep-source-hours <hours>', 'keep the source stopped this long, then delete it (default 24)')
    .option('--delete-source', 'delete the source once the move succeeded')
    .option('-o, --option <key=value...>', 'an option of the target provider, e.g. host=build-box user=me (an SSH host\'s address)')
    .option('--workspace <path>', 'the workspace folder on the target, over the source\'s')
    .option(...IMAGE_OPTION)
    .option(...CPUS_OPTION)
    .option(...MEMORY_OPTION)
    .option(...ALLOW_NETWORK_OPTION)
    .option('-y, --yes', 'move without asking; required, after reading the plan')
    .option(...JSON_OPTION)
    .action((name: string, options: MigrateOptions) =>
      run(async (swarm) => {
        const plan = swarm.migrations.plan(migrationRequest(name, options));
        if (!options.yes) {
          process.stdout.write(`${describePlan(plan).join('\n')}\n`);
          process.stderr.write('Moving needs --yes.\n');
          return EXIT.invalid;
        }
        const result = await withProgress(`Moving ${name} to ${options.to}`, ({ onProgress, ...rest }) =>
          swarm.migrations.migrate(plan, { ...rest, onProgress: (progress) => onProgress?.(describeProgress(progress)) }),
        { interruptible: true });
        if (options.json) return printJson(result);
        process.stdout.write(`${describeResult(result)}\n`);
      }),
    );
}

function migrationRequest(name: string, options: MigrateOptions): MigrationRequest {
  if (options.deleteSource && options.keepSourceHours !== undefined) throw invalidConfig('keepSourceHours', 'goes with --delete-source only one at a time: keep the source, or delete it');
  const keepSourceHours = options.deleteSource ? 0 : numberOption(options.keepSourceHours, 'keepSourceHours');
  const { resources, ...size } = sizeOverrides(options);
  return {
    instance: name,
    to: options.to,
    ...(options.strategy !== undefined ? { strategy: options.strategy as MigrationStrategy } : {}),
    ...(keepSourceHours !== undefined ? { keepSourceHours } : {}),
    overrides: {
      ...size,
      ...(resources && Object.keys(resources).length > 0 ? { resources } : {}),
      ...(options.workspace !== undefined ? { workspacePath: options.workspace } : {}),
      ...(options.option ? { options: providerOptions(options.option) } : {}),
    },
    allowNetworkExposure: options.allowNetwork === true,
  };
}

/** "port=2222" → { port: 2222 }: numbers as numbers, the rest as text; the provider's schema checks them. */
function providerOptions(pairs: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw invalidConfig('options', `"${pair}" is not key=value, e.g. host=build-box`);
      const value = pair.slice(equals + 1);
      return [pair.slice(0, equals), /^\d+$/.test(value) ? Number(value) : value];
    }),
  );
}
