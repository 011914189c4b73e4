import { copyFileSync, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { writeAtomically } from '../core/jsonFileStore';
import { readTextIfExists } from './readTextIfExists';
import { configArguments, quotedPath } from './sshConfigSyntax';

/** Options before the first Host or Match line apply to every host; an Include there is read for every connection. */
const BLOCK_START = /^\s*(host|match)(\s|=)/i;
const INCLUDE_LINE = /^\s*include(?:\s*=\s*|\s+)(.*)$/i;
const COMMENT = '# Added by Remote Swarm: the SSH hosts of its instances (remote-swarm.*). Removing these two lines undoes it.';

/**
 * Whether the user's ssh config includes `managedFile` where it applies to every host (before the first Host or Match
 * line), in any of the spellings ssh accepts: absolute, "~/…", or relative to ~/.ssh.
 */
export function includesManagedConfig(userConfigFile: string, managedFile: string, home: string): boolean {
  for (const line of readTextIfExists(userConfigFile).split(/\r?\n/)) {
    if (BLOCK_START.test(line)) return false;
    const include = INCLUDE_LINE.exec(line);
    if (include && configArguments(include[1] ?? '').some((argument) => resolveIncludePath(argument, home) === managedFile)) return true;
  }
  return false;
}

/**
 * Puts one Include line for `managedFile` (with a comment saying where it came from) at the top of the user's ssh
 * config, after copying the file to a timestamped backup. The rest of the file is kept byte for byte, with its line
 * endings and mode; a symlinked config is edited where it points. Returns the backup's path (none when there was no file).
 */
export function addManagedConfigInclude(userConfigFile: string, managedFile: string, now: Date = new Date()): { backup?: string } {
  const target = realTarget(userConfigFile);
  const existed = existsSync(target);
  const original = existed ? readFileSync(target, 'utf8') : '';
  const backup = existed ? `${target}.remote-swarm-backup-${now.toISOString().replace(/[:.]/g, '-')}` : undefined;
  if (backup) copyFileSync(target, backup);
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const added = [COMMENT, `Include ${quotedPath(managedFile)}`, ''].join(eol) + (original === '' ? '' : eol);
  writeAtomically(target, added + original, existed ? statSync(target).mode & 0o777 : 0o600);
  return backup ? { backup } : {};
}

/** What ensureManagedConfigIncluded did; `backup` is the copy of the user's file made before editing it (none if there was no file). */
export type IncludeOutcome = { outcome: 'present' } | { outcome: 'declined' } | { outcome: 'added'; backup?: string };

/**
 * Makes sure the user's ssh config includes the managed one: nothing to do when it does; otherwise the Include line is
 * added only when `consent` says yes.
 */
export async function ensureManagedConfigIncluded(
  files: { userConfigFile: string; configFile: string; home: string },
  consent: () => Promise<boolean>,
): Promise<IncludeOutcome> {
  if (includesManagedConfig(files.userConfigFile, files.configFile, files.home)) return { outcome: 'present' };
  if (!(await consent())) return { outcome: 'declined' };
  return { outcome: 'added', ...addManagedConfigInclude(files.userConfigFile, files.configFile) };
}

/** ssh resolves a relative Include path against ~/.ssh and expands a leading "~/". */
function resolveIncludePath(argument: string, home: string): string {
  if (argument.startsWith('~/')) return join(home, argument.slice(2));
  return isAbsolute(argument) ? argument : join(home, '.ssh', argument);
}

function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw error;
  }
}
