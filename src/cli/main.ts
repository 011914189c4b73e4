import { Command, CommanderError } from 'commander';
import { registerBackupCommands } from './backupCommands';
import { registerCatalogCommands } from './catalogCommands';
import { registerConnectCommand } from './connectCommand';
import { openSwarm, type CliSession } from './cliSwarm';
import { describeError, EXIT, exitCodeOf } from './cliOutput';
import { registerGroupCommands } from './groupCommands';
import { registerInstanceCommands, type RunWithSwarm } from './instanceCommands';
import { registerMigrateCommand } from './migrateCommand';
import { registerShellCommands } from './shellCommands';
import { stateDirectory } from './stateDirectory';

declare const REMOTE_SWARM_VERSION: string | undefined;

/** `remote-swarm` (alias `swarm`): the core of the extension from a terminal, over its own state directory. */
export async function main(argv: readonly string[]): Promise<number> {
  const directory = stateDirectory();
  let exitCode: number = EXIT.ok;
  const program = new Command('remote-swarm')
    .description(`Remote Swarm from a terminal. State: ${directory.root} (REMOTE_SWARM_STATE_DIR to change it).`)
    .version(typeof REMOTE_SWARM_VERSION === 'string' ? REMOTE_SWARM_VERSION : 'development')
    .option('-v, --verbose', 'log what the core and the providers do, on stderr')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const run: RunWithSwarm = async (work) => {
    let session: CliSession | undefined;
    try {
      session = await openSwarm(directory, { verbose: program.opts<{ verbose?: boolean }>().verbose === true });
      exitCode = (await work(session.swarm, session)) ?? EXIT.ok;
    } catch (error) {
      process.stderr.write(`${describeError(error, directory)}\n`);
      exitCode = exitCodeOf(error);
    } finally {
      session?.swarm.dispose();
    }
  };
  registerInstanceCommands(program, run);
  registerConnectCommand(program, run);
  registerShellCommands(program, run);
  registerCatalogCommands(program, run);
  registerGroupCommands(program, run);
  registerBackupCommands(program, run);
  registerMigrateCommand(program, run);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    throw error;
  }
  return exitCode;
}

/** Runs the command line of this process and exits with its code. */
export function runAsProgram(): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(EXIT.failed);
    },
  );
}

if (require.main === module) runAsProgram();
