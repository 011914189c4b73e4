import { createHmac } from 'node:crypto';
import { hostPublicKeyOfText, type HostPublicKey } from './hostPublicKey';
import { exactHostAlias, renderable, requireOwnText } from './sshFileValues';

/** One key line of a known_hosts file (see sshd(8), SSH_KNOWN_HOSTS FILE FORMAT). */
export interface KnownHostLine {
  marker?: 'revoked' | 'cert-authority';
  /** Comma-separated patterns, or one hashed name (|1|salt|hash). */
  hosts: string;
  key: HostPublicKey;
}

/** The key lines of a user's known_hosts file; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    const marker = fields[0] === '@revoked' ? 'revoked' : fields[0] === '@cert-authority' ? 'cert-authority' : undefined;
    if (fields[0].startsWith('@') && marker === undefined) continue;
    const [hosts, type, base64] = marker === undefined ? fields : fields.slice(1);
    if (hosts && type && base64) lines.push({ ...(marker ? { marker } : {}), hosts, key: { type, base64 } });
  }
  return lines;
}

/** One line of Remote Swarm's own known_hosts: a key of the host an alias (remote-swarm.<name>) stands for. */
export interface AliasKey {
  alias: string;
  key: HostPublicKey;
}

/** The line of an AliasKey: one exact alias, never a pattern, and a well-formed key of a known type (else refused). */
function formatAliasKeyLine({ alias, key }: AliasKey): string {
  const checked = hostPublicKeyOfText(key.type, key.base64);
  return `${exactHostAlias(alias, 'a known_hosts file')} ${checked.type} ${checked.base64}`;
}

export function renderAliasKeys(entries: readonly AliasKey[]): string {
  return entries.map((entry) => `${formatAliasKeyLine(entry)}\n`).join('');
}

/**
 * The lines of Remote Swarm's own known_hosts, `file`. It must hold only lines Remote Swarm writes: any other (a
 * pattern such as "*", a marker, a comment) is reported as a CONFLICT naming its line, since ssh would trust it.
 */
export function parseAliasKeys(file: string, text: string): AliasKey[] {
  const entries = text.split('\n').flatMap((line) => {
    const [alias, type, base64, ...rest] = line.split(' ');
    return alias && type && base64 && rest.length === 0 ? [{ alias, key: { type, base64 } }] : [];
  });
  const written = renderable(entries, formatAliasKeyLine);
  requireOwnText(file, text, renderAliasKeys(written));
  return written;
}

/** How OpenSSH names a host in known_hosts: "host" on port 22, "[host]:port" on any other. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

/**
 * Whether a known_hosts host field names `name` (as knownHostName gives it): a hashed name, or a list of patterns with
 * `*` and `?` wildcards where any `!`-negated match rules the host out.
 */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) return hashedNameMatches(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    if (!wildcard(negated ? pattern.slice(1) : pattern).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

export function sameKey(a: HostPublicKey, b: HostPublicKey): boolean {
  return a.type === b.type && a.base64 === b.base64;
}

/** HashKnownHosts entries: |1|base64(salt)|base64(HMAC-SHA1 of the name keyed with the salt). */
function hashedNameMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function wildcard(pattern: string): RegExp {
  const source = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}
