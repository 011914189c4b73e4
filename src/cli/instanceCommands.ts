import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { invalidConfig } from '../core/errors';
import type { Instance } from '../core/models';
import type { Swarm } from '../core/swarm';
import type { CliSession } from './cliSwarm';
import { EXIT, JSON_OPTION, printJson, printTable } from './cliOutput';
import { ALLOW_NETWORK_OPTION, CPUS_OPTION, IMAGE_OPTION, MEMORY_OPTION, numberOption, PROVIDER_OPTION, sizeOverrides, type SizeOptions } from './commandOptions';
import { withProgress } from './progress';

/** Runs a command's work over an opened swarm; returns the process exit code. */
export type RunWithSwarm = (work: (swarm: Swarm, session: CliSession) => Promise<number | void>) => Promise<void>;

function size({ config, metadata }: Instance): string {
  return metadata.host || (metadata.size ? [metadata.region, metadata.size].filter(Boolean).join(' ') : `${config.resources.cpuCores} CPU / ${config.resources.memoryMB} MB`);
}

function printInstances(instances: readonly Instance[], json: boolean | undefined): void {
  if (json) return printJson(instances);
  printTable(
    ['NAME', 'PROVIDER', 'STATUS', 'TEMPLATE', 'SIZE', 'URL'],
    instances.map((instance) => [instance.name, instance.provider, instance.status, instance.config.template ?? 'custom', size(instance), instance.urls.ide ?? '']),
  );
}

/** Asks the providers what runs; a provider that cannot answer for instances it had is a warning on stderr. */
export async function refreshInstances(swarm: Swarm): Promise<void> {
  await swarm.refresher.refresh();
  for (const type of swarm.refresher.providerTypes()) {
    const error = swarm.refresher.providerError(type);
    if (error && swarm.controller.list({ provider: type }).length > 0) process.stderr.write(`warning: ${type}: ${error.message}\n`);
  }
}

/** Values of secretEnv names from the CLI's own environment, so that no secret is ever in argv or a shell history. */
function secretEnvFromEnvironment(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((variable) => {
      const value = process.env[variable];
      if (value === undefined) throw invalidConfig(`secretEnv.${variable}`, `has no value: export ${variable} in the environment that runs remote-swarm`);
      return [variable, value];
    }),
  );
}

/** create, list, show, start, stop, restart, delete (destroy), logs, exec, connect. */
export function registerInstanceCommands(program: Command, run: RunWithSwarm): void {
  program
    .command('list')
    .alias('ls')
    .description('list the instances, brought up to date from their providers')
    .option(...JSON_OPTION)
    .option('--cached', 'do not ask the providers; show what was last seen')
    .action((options: { json?: boolean; cached?: boolean }) =>
      run(async (swarm) => {
        if (!options.cached) await refreshInstances(swarm);
        printInstances(swarm.controller.list(), options.json);
      }),
    );

  program
    .command('show <name>')
    .description('one instance in full')
    .option(...JSON_OPTION)
    .action((name: string, options: { json?: boolean }) =>
      run(async (swarm) => {
        const instance = swarm.controller.get(name);
        if (options.json) return printJson(instance);
        printTable(['FIELD', 'VALUE'], [
          ['name', instance.name],
          ['id', instance.id],
          ['provider', instance.provider],
          ['status', instance.status],
          ['template', instance.config.template ?? 'custom'],
          ['image', instance.config.image],
          ['size', size(instance)],
          ['url', instance.urls.ide ?? ''],
          ['workspace', instance.config.workspacePath],
          ...(instance.lastError ? [['error', instance.lastError]] : []),
        ]);
      }),
    );

  program
    .command('create <name>')
    .description('create and start an instance')
    .option('-t, --template <template>', 'a template (see: remote-swarm templates)', 'development')
    .option(...PROVIDER_OPTION)
    .option(...IMAGE_OPTION)
    .option(...CPUS_OPTION)
    .option(...MEMORY_OPTION)
    .option('--secret-env <NAME...>', 'a secretEnv variable of the template, its value taken from this environment variable of yours (never from the command line)')
    .option(...ALLOW_NETWORK_OPTION)
    .option(...JSON_OPTION)
    .action((name: string, options: SizeOptions & { template: string; provider?: string; secretEnv?: string[]; allowNetwork?: boolean; json?: boolean }) =>
      run(async (swarm) => {
        const overrides = sizeOverrides(options);
        const instance = await withProgress(`Creating ${name}`, (progress) => swarm.controller.create(
          {
            provider: options.provider ?? swarm.settings.defaultProvider,
            name,
            template: options.template,
            overrides,
            secretEnv: secretEnvFromEnvironment(options.secretEnv ?? []),
            allowNetworkExposure: options.allowNetwork === true,
          },
          progress,
        ));
        if (options.json) return printJson(instance);
        process.stdout.write(`${instance.name} is ${instance.status}${instance.urls.ide ? ` at ${instance.urls.ide}` : ''}\n`);
      }),
    );

  for (const [verb, description] of [
    ['start', 'start a stopped instance'],
    ['restart', 'restart an instance'],
  ] as const) {
    program
      .command(`${verb} <name>`)
      .description(description)
      .action((name: string) =>
        run(async (swarm) => {
          const instance = await withProgress(`${verb === 'start' ? 'Starting' : 'Restarting'} ${name}`, (progress) => swarm.controller[verb](name, progress));
          process.stdout.write(`${instance.name} is ${instance.status}\n`);
        }),
      );
  }

  program
    .command('stop <name>')
    .description('stop an instance; its workspace stays')
    .option('--force', 'kill it instead of a graceful stop')
    .action((name: string, options: { force?: boolean }) =>
      run(async (swarm) => {
        const instance = await withProgress(`Stopping ${name}`, (progress) => swarm.controller.stop(name, { ...progress, force: options.force === true }));
        process.stdout.write(`${instance.name} is ${instance.status}\n`);
      }),
    );

  program
    .command('delete <name>')
    .alias('destroy')
    .description('delete an instance (an existing SSH host is only forgotten)')
    .option('--keep-workspace', 'keep the workspace volume for a later instance')
    .option('-y, --yes', 'do not ask; required when not on a terminal')
    .action((name: string, options: { keepWorkspace?: boolean; yes?: boolean }) =>
      run(async (swarm) => {
        const instance = swarm.controller.get(name);
        if (!options.yes) {
          process.stderr.write(`Deleting "${instance.name}"${options.keepWorkspace ? '' : ' and its workspace'} needs --yes.\n`);
          return EXIT.invalid;
        }
        await withProgress(`Deleting ${name}`, (progress) => swarm.controller.delete(instance.id, { ...progress, keepWorkspace: options.keepWorkspace === true }));
        process.stdout.write(`${instance.name} deleted\n`);
      }),
    );

  program
    .command('logs <name>')
    .description('the end of an instance\'s log')
    .option('-n, --tail <lines>', 'lines from the end', '200')
    .option('-f, --follow', 'go on printing what is written, until Ctrl+C or the instance stops')
    .action((name: string, options: { tail: string; follow?: boolean }) =>
      run(async (swarm) => {
        const tail = numberOption(options.tail, 'tail');
        if (!options.follow) return void process.stdout.write(await swarm.controller.logs(name, { tail }));
        const stop = new AbortController();
        const interrupted = () => stop.abort();
        process.once('SIGINT', interrupted);
        try {
          const log = await swarm.controller.followLogs(name, { tail, signal: stop.signal });
          await pipeline(log, process.stdout, { end: false }).catch((error: unknown) => {
            if (!stop.signal.aborted) throw error;
          });
        } finally {
          process.off('SIGINT', interrupted);
        }
      }),
    );

  program
    .command('exec <name> <argv...>')
    .description('run a program in an instance (put -- before its arguments); exits with its exit code')
    .option('-w, --workdir <path>', 'working directory inside the instance')
    .action((name: string, argv: string[], options: { workdir?: string }) =>
      run(async (swarm) => {
        const result = await swarm.controller.exec(name, argv, options.workdir === undefined ? {} : { workdir: options.workdir });
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        return result.exitCode;
      }),
    );

  program
    .command('password <name>')
    .description('print the code-server password of an instance (read back from it where another front end made it)')
    .option('--reset', 'give it a new generated password (a container is made anew around its workspace) and print that')
    .action((name: string, options: { reset?: boolean }) =>
      run(async (swarm) => {
        if (options.reset) await withProgress(`Resetting the password of ${name}`, (progress) => swarm.controller.resetPassword(name, progress));
        const password = await swarm.controller.getPassword(name);
        if (password === undefined) {
          process.stderr.write(`No password is stored for "${name}".\n`);
          return EXIT.notFound;
        }
        process.stdout.write(`${password}\n`);
      }),
    );
}
