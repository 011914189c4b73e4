import { s3BackupStore } from '../backup';
import { FileCoordination } from '../core/coordination/fileCoordination';
import { FileSecretStore } from '../core/fileSecretStore';
import { userOwnerId } from '../core/installationId';
import { JsonFileStore } from '../core/jsonFileStore';
import { silentLogger, type Logger } from '../core/logger';
import { createSwarm, type Swarm } from '../core/swarm';
import { builtinProviders } from '../providers/builtin';
import { createSshToolkit, type SshToolkit } from '../ssh/sshToolkit';
import { fileSettings } from './fileSettings';
import type { StateDirectory } from './stateDirectory';
import { terminalPrompts } from './terminalPrompts';

/** Log lines on stderr, so stdout carries only what a command prints (and stays parseable with --json). */
const stderrLogger: Logger = {
  debug: (message) => process.stderr.write(`debug: ${message}\n`),
  info: (message) => process.stderr.write(`${message}\n`),
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

/** What a command works with: the core, and the SSH toolkit it shares with Remote-SSH connect. */
export interface CliSession {
  swarm: Swarm;
  ssh: SshToolkit;
}

/** The same core the extension runs, over the state directory: a file registry, a 0600 secrets file, a settings file. */
export async function openSwarm(directory: StateDirectory, { verbose = false }: { verbose?: boolean } = {}): Promise<CliSession> {
  const secrets = new FileSecretStore(directory.secretsFile);
  const ssh = createSshToolkit({ secrets, prompts: terminalPrompts() });
  const log = verbose ? stderrLogger : { ...silentLogger, warn: stderrLogger.warn, error: stderrLogger.error };
  const swarm = createSwarm({
    stores: { state: new JsonFileStore(directory.stateFile) },
    secrets,
    settings: fileSettings(directory.settingsFile),
    log,
    providers: builtinProviders(ssh),
    localFiles: [ssh.access],
    backupStore: s3BackupStore,
    ownerId: () => userOwnerId(directory.root),
    // Operations wait for the VS Code windows' on the same instance, and the windows show what the CLI changed.
    coordination: new FileCoordination(directory.root, { log }),
  });
  const loaded = await swarm.load();
  for (const entry of loaded.quarantined) log.warn(`stored instance "${entry.id}" kept aside: ${entry.reason}`);
  for (const problem of loaded.templateProblems) log.warn(problem.message);
  return { swarm, ssh };
}
