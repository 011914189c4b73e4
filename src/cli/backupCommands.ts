import type { Command } from 'commander';
import type { BackupManifest, BackupOperationOptions } from '../core/backups/backupService';
import { bytesProgressText, formatBytes } from '../core/byteSize';
import type { OperationOptions } from '../core/provider';
import { JSON_OPTION, printJson, printTable } from './cliOutput';
import type { RunWithSwarm } from './instanceCommands';
import { withProgress } from './progress';

/** backup, backups, restore: workspaces to and from the S3 bucket of the backup settings. */
export function registerBackupCommands(program: Command, run: RunWithSwarm): void {
  program
    .command('backup <name>')
    .description('back the instance\'s workspace up to the backup bucket (remoteSwarm.backup.*), streamed; Ctrl+C cancels and leaves nothing')
    .option(...JSON_OPTION)
    .action((name: string, options: { json?: boolean }) =>
      run(async (swarm) => {
        const manifest = await withProgress(`Backing up ${name}`, (progress) => swarm.backups.backUp(name, withBytes(progress, 'read')), { interruptible: true });
        if (options.json) return printJson(manifest);
        process.stdout.write(`${manifest.id}  ${formatBytes(manifest.workspaceBytes)} workspace, ${formatBytes(manifest.archive.bytes)} stored\n`);
      }),
    );

  program
    .command('backups [name]')
    .description('the backups in the backup bucket, of one instance or of all, newest first')
    .option(...JSON_OPTION)
    .action((name: string | undefined, options: { json?: boolean }) =>
      run(async (swarm) => {
        const backups = await swarm.backups.list(name);
        if (options.json) return printJson(backups);
        printTable(['BACKUP', 'PROVIDER', 'WORKSPACE', 'STORED'], backups.map(row));
      }),
    );

  program
    .command('restore <backup>')
    .description('unpack a backup into a new instance (made like the backed-up one) or onto an existing stopped one')
    .requiredOption('--to <name>', 'the instance to restore onto, or the name of a new one')
    .option('--provider <type>', 'make the new instance on this provider (default: the backed-up instance\'s)')
    .option('--overwrite-running', 'restore onto the instance even though it runs (files in the backup replace its own)')
    .option(...JSON_OPTION)
    .action((backup: string, options: { to: string; provider?: string; overwriteRunning?: boolean; json?: boolean }) =>
      run(async (swarm) => {
        const target = { to: options.to, ...(options.provider ? { provider: options.provider } : {}), overwriteRunning: options.overwriteRunning === true };
        const { instance, created } = await withProgress(`Restoring ${backup}`, (progress) => swarm.backups.restore(backup, target, withBytes(progress, 'downloaded')), { interruptible: true });
        if (options.json) return printJson({ instance, created });
        process.stdout.write(`${backup} restored ${created ? 'into the new instance' : 'onto'} ${instance.name} (${instance.status})\n`);
      }),
    );
}

function withBytes(progress: OperationOptions, verb: string): BackupOperationOptions {
  return { ...progress, onBytes: (bytes) => progress.onProgress?.(bytesProgressText(bytes, verb)) };
}

function row(backup: BackupManifest): string[] {
  return [backup.id, backup.instance.provider, formatBytes(backup.workspaceBytes), formatBytes(backup.archive.bytes)];
}
