import type { Instance } from '../models';

/**
 * Run inside an instance, prints who uses it: the probe's own shell (its pid and, over SSH, its connection), every
 * process's stat line, and the TCP table. Only `sh` and `cat` are needed, so it works from busybox to Debian.
 */
export const USE_PROBE: readonly string[] = ['sh', '-c', 'echo "$$ $SSH_CONNECTION"; echo ---; cat /proc/[0-9]*/stat 2>/dev/null; echo ---; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null'];

/** Sessions in an instance besides its own processes and the probe. */
export interface InstanceUse {
  /** Processes entered from outside (`docker exec`: a terminal, a command, Dev Containers): parent pid 0, other than pid 1. */
  execSessions: number;
  /** Established connections to its sshd (Remote-SSH, ssh), other than the probe's own. */
  sshSessions: number;
}

const ESTABLISHED = '01';

/** The container ports its sshd listens on (22 where it declares none). */
export function sshPortsOf(instance: Instance): number[] {
  const declared = instance.ports.filter((port) => port.purpose === 'ssh').map((port) => port.container);
  return declared.length > 0 ? declared : [22];
}

/** What USE_PROBE printed, read; undefined when it is not its output (the probe could not run as meant). */
export function parseInstanceUse(stdout: string, sshPorts: readonly number[]): InstanceUse | undefined {
  const [header, stats, tcp] = stdout.split(/^---$/m);
  if (header === undefined || stats === undefined || tcp === undefined) return undefined;
  const [selfText, ...connection] = header.trim().split(/\s+/);
  const self = Number(selfText);
  if (!Number.isInteger(self)) return undefined;
  const probePorts = connection.length === 4 ? { client: Number(connection[1]), server: Number(connection[3]) } : undefined;

  let execSessions = 0;
  for (const line of stats.split('\n')) {
    const commEnd = line.lastIndexOf(')');
    if (commEnd < 0) continue;
    const pid = Number(line.slice(0, line.indexOf(' ')));
    const comm = line.slice(line.indexOf('(') + 1, commEnd);
    const ppid = Number(line.slice(commEnd + 2).split(' ')[1]);
    // On a host (an SSH provider's machine) pid 2, kthreadd, also has parent 0.
    if (ppid === 0 && pid !== 1 && pid !== self && comm !== 'kthreadd') execSessions += 1;
  }

  let sshSessions = 0;
  for (const line of tcp.split('\n')) {
    const [, local, remote, state] = line.trim().split(/\s+/);
    if (state !== ESTABLISHED || local === undefined || remote === undefined) continue;
    const localPort = portOf(local);
    if (!sshPorts.includes(localPort)) continue;
    if (probePorts && localPort === probePorts.server && portOf(remote) === probePorts.client) continue;
    sshSessions += 1;
  }
  return { execSessions, sshSessions };
}

/** "0100007F:0016" → 22 */
function portOf(address: string): number {
  return Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
}
