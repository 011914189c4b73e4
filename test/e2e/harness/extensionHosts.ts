import { readdirSync, readFileSync } from 'node:fs';
import type { LeaseRecord } from '../../../src/core/coordination/fileLease';

/**
 * The pids of the extension hosts code-server runs for a session's windows (one per window): the processes whose
 * command line has `--type=extensionHost` and whose environment names the session's state folder, which no other
 * session's processes share.
 */
export function extensionHostPids(stateDir: string): number[] {
  const marker = `REMOTE_SWARM_STATE_DIR=${stateDir}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => nulSeparated(`/proc/${pid}/cmdline`).some((arg) => arg.includes('--type=extensionHost')) && nulSeparated(`/proc/${pid}/environ`).includes(marker))
    .map(Number);
}

/** The pid of the process that holds the lead among the windows (the lease in leader.json), if one does. */
export function leaderPid(stateDir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(`${stateDir}/leader.json`, 'utf8')) as LeaseRecord).pid;
  } catch {
    return undefined;
  }
}

/** A /proc file's NUL-separated entries; none when the process is gone or its file unreadable. */
function nulSeparated(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\0');
  } catch {
    return [];
  }
}
