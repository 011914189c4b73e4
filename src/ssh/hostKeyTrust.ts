import { SwarmError } from '../core/errors';
import { writeAtomically } from '../core/jsonFileStore';
import { sha256Fingerprint } from './hostKeyFingerprint';
import type { HostPublicKey } from './hostPublicKey';
import { hostFieldMatches, knownHostName, parseAliasKeys, parseKnownHosts, renderAliasKeys, sameKey, type AliasKey, type KnownHostLine } from './knownHosts';
import { readTextIfExists } from './readTextIfExists';
import { exactHostAlias } from './sshFileValues';

/** What the user is asked on first contact with a host: trust this key, shown as OpenSSH shows it? */
export interface HostKeyQuestion {
  /** The instance's name. */
  name: string;
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

/** Asks the user; true only on an explicit yes. Injected so providers stay free of any UI. */
export type ConfirmHostKey = (question: HostKeyQuestion) => Promise<boolean>;

/** A host as one instance reaches it; `alias` (remote-swarm.<name>) is what its key is recorded under. */
export interface HostKeyTarget {
  alias: string;
  name: string;
  host: string;
  port: number;
}

export interface HostKeyTrustOptions {
  /** Remote Swarm's own known_hosts (read and written), whose lines are keyed by alias: ssh reads it through HostKeyAlias. */
  managedFile: string;
  /** The user's known_hosts files (only read), keyed by host name as OpenSSH writes them. */
  userFiles: readonly string[];
  confirm: ConfirmHostKey;
}

/** A key on record for a host, and the file that records it. */
interface RecordedKey {
  key: HostPublicKey;
  file: string;
}

/**
 * Verifies SSH host keys as OpenSSH's StrictHostKeyChecking=ask does: a key on record passes, a revoked key or any
 * other key of a host with keys on record (of its type or another) is refused, and a host with none is trusted only
 * when the user confirms its fingerprint. Trusted keys are recorded in the managed file, so the ssh config's Host
 * blocks can check them too.
 */
export class HostKeyTrust {
  constructor(private readonly options: HostKeyTrustOptions) {}

  async verify(target: HostKeyTarget, key: HostPublicKey): Promise<void> {
    const fingerprint = sha256Fingerprint(key);
    if (this.userLines(target).some((line) => line.marker === 'revoked' && sameKey(line.key, key))) {
      throw rejected(target, `its ${key.type} key ${fingerprint} is marked @revoked in a known_hosts file. Connecting was refused.`, 'revoked');
    }
    const recorded = this.recordedKeys(target);
    if (recorded.some((entry) => sameKey(entry.key, key))) {
      if (!recorded.some((entry) => entry.file === this.options.managedFile && sameKey(entry.key, key))) this.write([...this.managedKeys(), { alias: target.alias, key }]);
      return;
    }
    if (recorded.length > 0) throw this.changed(target, key, fingerprint, recorded);
    const trusted = await this.options.confirm({ name: target.name, host: target.host, port: target.port, keyType: key.type, fingerprint });
    if (!trusted) throw rejected(target, `its ${key.type} key ${fingerprint} was not trusted. Nothing was recorded; connect again to be asked again.`, 'declined');
    this.write([...this.managedKeys(), { alias: target.alias, key }]);
  }

  /** The types of the keys on record for the host, so that a connection can ask for one of them first (as OpenSSH does). */
  recordedKeyTypes(target: HostKeyTarget): string[] {
    return [...new Set(this.recordedKeys(target).map((entry) => entry.key.type))];
  }

  /** Records the keys of a host learnt over a trusted channel (e.g. read through docker exec), replacing its old ones. */
  replace(alias: string, keys: readonly HostPublicKey[]): void {
    this.write(this.replaced(alias, keys));
  }

  /** Throws what replace(alias, keys) would throw, writing nothing: a key or alias it refuses, or text in the file it did not write. */
  check(alias: string, keys: readonly HostPublicKey[]): void {
    renderAliasKeys(this.replaced(alias, keys));
  }

  /** Drops every key recorded under the alias (its instance is gone). */
  forget(alias: string): void {
    const entries = this.managedKeys();
    const kept = entries.filter((entry) => entry.alias !== alias);
    if (kept.length !== entries.length) this.write(kept);
  }

  private replaced(alias: string, keys: readonly HostPublicKey[]): AliasKey[] {
    exactHostAlias(alias, 'a known_hosts file');
    const added = keys.map((key) => ({ alias, key }));
    renderAliasKeys(added);
    return [...this.managedKeys().filter((entry) => entry.alias !== alias), ...added];
  }

  private changed(target: HostKeyTarget, key: HostPublicKey, fingerprint: string, recorded: readonly RecordedKey[]): SwarmError {
    const onRecord = recorded.map((entry) => `the ${entry.key.type} key ${sha256Fingerprint(entry.key)} (in ${entry.file})`);
    const removals = [...new Set(recorded.map((entry) => entry.file))].map((file) =>
      file === this.options.managedFile ? `ssh-keygen -R ${target.alias} -f "${file}"` : `ssh-keygen -R "${knownHostName(target.host, target.port)}" -f "${file}"`,
    );
    return rejected(
      target,
      `its host key has CHANGED: it now presents the ${key.type} key ${fingerprint}, but what is on record for it is ${onRecord.join(' and ')}. ` +
        `Someone may be intercepting the connection, or the host was reinstalled. Connecting was refused. Only if you have checked ` +
        `the new fingerprint on the host itself, remove the old key (${removals.join(', then ')}) and connect again.`,
      'changed',
      { onRecord: recorded.map((entry) => ({ type: entry.key.type, fingerprint: sha256Fingerprint(entry.key), file: entry.file })) },
    );
  }

  /** The keys on record for the host: under its alias in the managed file, under its name in the user's files. */
  private recordedKeys(target: HostKeyTarget): RecordedKey[] {
    return [
      ...this.managedKeys()
        .filter((entry) => entry.alias === target.alias)
        .map((entry) => ({ key: entry.key, file: this.options.managedFile })),
      ...this.userLines(target).filter((line) => line.marker === undefined),
    ];
  }

  /** The lines of the user's known_hosts files that name the host, as OpenSSH names it there. */
  private userLines(target: HostKeyTarget): (KnownHostLine & RecordedKey)[] {
    const name = knownHostName(target.host, target.port);
    return this.options.userFiles.flatMap((file) =>
      parseKnownHosts(readTextIfExists(file))
        .filter((line) => hostFieldMatches(line.hosts, name))
        .map((line) => ({ ...line, file })),
    );
  }

  /** The managed file's lines, read strictly: a line Remote Swarm did not write is a CONFLICT, never a trusted key. */
  private managedKeys(): AliasKey[] {
    return parseAliasKeys(this.options.managedFile, readTextIfExists(this.options.managedFile));
  }

  private write(entries: readonly AliasKey[]): void {
    writeAtomically(this.options.managedFile, renderAliasKeys(entries), 0o600);
  }
}

function rejected(target: HostKeyTarget, reason: string, kind: 'revoked' | 'changed' | 'declined', details: Record<string, unknown> = {}): SwarmError {
  return new SwarmError('HOST_KEY_REJECTED', `SSH host "${target.name}" (${target.host}:${target.port}): ${reason}`, {
    details: { host: target.host, port: target.port, reason: kind, ...details },
  });
}
