import { invalidConfig, SwarmError } from '../core/errors';
import { INSTANCE_NAME_MAX_LENGTH, INSTANCE_NAME_PATTERN } from '../core/models';

/**
 * The checks every value passes before Remote Swarm writes it into its ssh config or known_hosts. Much of it comes from
 * an instance (its `id -un`, its host keys), so a value that could end its line, add a directive, widen a host pattern
 * or be expanded by ssh is refused, never repaired: a refusal names the field, and nothing is written.
 */

export const ALIAS_PREFIX = 'remote-swarm.';
/** POSIX portable user names: letters, digits, ".", "_" and "-", not starting with "-". */
export const POSIX_USER_NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/;
const IPV4_ADDRESS = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_ADDRESS = /^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$/;
/** Whose last label is not a number: "10.1", "0" and "0x7f.1" are IPv4 addresses to the resolver, not names. */
const DNS_NAME = /^(?!.*(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$)[a-z0-9_][a-z0-9._-]*$/i;

/** A host name, or an IP address spelt as one would expect it. Never a "%": HostName expands %-tokens. */
export function isExactHostName(hostName: string): boolean {
  return hostName.length <= 253 && (IPV4_ADDRESS.test(hostName) || IPV6_ADDRESS.test(hostName) || DNS_NAME.test(hostName));
}

export type SshFileKind = 'an ssh config file' | 'a known_hosts file';

export function refusedValue(field: string, value: unknown, problem: string, file: SshFileKind): SwarmError {
  return invalidConfig(field, `${shown(value)} ${problem}, so it cannot be written into ${file}. Nothing was written.`);
}

/**
 * An alias Remote Swarm gives, "remote-swarm.<instance name>": one exact host, never a pattern ("*", "?", "!", ","),
 * and never the name of a host of the user's own.
 */
export function exactHostAlias(alias: string, file: SshFileKind): string {
  if (!isHostAlias(alias)) throw refusedValue('alias', alias, `is not an alias Remote Swarm gives (${ALIAS_PREFIX}<instance name>)`, file);
  return alias;
}

export function isHostAlias(alias: string): boolean {
  const name = alias.startsWith(ALIAS_PREFIX) ? alias.slice(ALIAS_PREFIX.length) : '';
  return name.length <= INSTANCE_NAME_MAX_LENGTH && INSTANCE_NAME_PATTERN.test(name);
}

export function exactHostName(hostName: string): string {
  if (!isExactHostName(hostName)) throw refusedValue('hostName', hostName, 'is not a host name or an IP address', 'an ssh config file');
  return hostName;
}

export function posixUserName(user: string): string {
  if (!POSIX_USER_NAME.test(user)) {
    throw refusedValue('user', user, 'is not a POSIX user name (letters, digits, ".", "_" and "-", not starting with "-")', 'an ssh config file');
  }
  return user;
}

export function portNumber(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw refusedValue('port', port, 'is not a port number from 1 to 65535', 'an ssh config file');
  return port;
}

/**
 * `text` is a file Remote Swarm writes whole, and `canonical` what it would write for the entries read from it: any
 * difference is text it did not write (an edit, or something injected), which it reports rather than keep or drop.
 */
export function requireOwnText(file: string, text: string, canonical: string): void {
  if (text === canonical) return;
  const lines = text.split('\n');
  const expected = canonical.split('\n');
  const index = lines.findIndex((line, i) => line !== expected[i]);
  const lineNumber = (index === -1 ? lines.length : index) + 1;
  throw new SwarmError(
    'CONFLICT',
    `${file} holds text Remote Swarm did not write, at line ${lineNumber}: ${shown(lines[lineNumber - 1] ?? '')}. It may have been tampered ` +
      `with, so nothing was written. Check what it holds, then delete it: Remote Swarm writes it afresh as you connect to each instance.`,
    { details: { file, line: lineNumber } },
  );
}

/** The entries `render` accepts. Reading a file, the rest are left out, for requireOwnText to find. */
export function renderable<T>(entries: readonly T[], render: (entry: T) => unknown): T[] {
  return entries.filter((entry) => {
    try {
      render(entry);
      return true;
    } catch {
      return false;
    }
  });
}

/** A value as a message shows it: quoted, with line breaks and control characters escaped, cut short. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
}
