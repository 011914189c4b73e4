import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SwarmError } from '../core/errors';
import { writeAtomically } from '../core/jsonFileStore';
import { sha256Fingerprint, type HostPublicKey } from './hostKeyFingerprint';
import { readTextIfExists } from './readTextIfExists';
import { formatKnownHostLine, hostFieldMatches, knownHostName, parseKnownHosts, sameKey, type KnownHostLine } from './knownHosts';

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

/**
 * Verifies SSH host keys as OpenSSH's StrictHostKeyChecking=ask does: a key on record passes, a revoked or different
 * key of the same type is refused, and an unknown host is trusted only when the user confirms its fingerprint.
 * Trusted keys are recorded in the managed file, so the ssh config's Host blocks can check them too.
 */
export class HostKeyTrust {
  constructor(private readonly options: HostKeyTrustOptions) {}

  async verify(target: HostKeyTarget, key: HostPublicKey): Promise<void> {
    const managed = this.read(this.options.managedFile).filter((line) => hostFieldMatches(line.hosts, target.alias));
    const name = knownHostName(target.host, target.port);
    const recorded = [...managed, ...this.options.userFiles.flatMap((file) => this.read(file).filter((line) => hostFieldMatches(line.hosts, name)))];
    const fingerprint = sha256Fingerprint(key);
    if (recorded.some((line) => line.marker === 'revoked' && sameKey(line.key, key))) {
      throw rejected(target, `its ${key.type} key ${fingerprint} is marked @revoked in a known_hosts file. Connecting was refused.`, 'revoked');
    }
    const sameType = recorded.filter((line) => line.marker === undefined && line.key.type === key.type);
    if (sameType.some((line) => sameKey(line.key, key))) {
      if (!managed.some((line) => line.marker === undefined && sameKey(line.key, key))) this.append(target.alias, key);
      return;
    }
    if (sameType.length > 0) throw this.changed(target, key, fingerprint, managed.length > 0);
    const trusted = await this.options.confirm({ name: target.name, host: target.host, port: target.port, keyType: key.type, fingerprint });
    if (!trusted) throw rejected(target, `its ${key.type} key ${fingerprint} was not trusted. Nothing was recorded; connect again to be asked again.`, 'declined');
    this.append(target.alias, key);
  }

  /** Records the keys of a host learnt over a trusted channel (e.g. read through docker exec), replacing its old ones. */
  replace(alias: string, keys: readonly HostPublicKey[]): void {
    this.write([...this.managedLines().filter((line) => !recordsAlias(line, alias)), ...keys.map((key) => formatKnownHostLine(alias, key))]);
  }

  /** Drops every key recorded under the alias (its instance is gone). */
  forget(alias: string): void {
    const lines = this.managedLines();
    const kept = lines.filter((line) => !recordsAlias(line, alias));
    if (kept.length !== lines.length) this.write(kept);
  }

  private changed(target: HostKeyTarget, key: HostPublicKey, fingerprint: string, inManagedFile: boolean): SwarmError {
    const removal = inManagedFile
      ? `ssh-keygen -R ${target.alias} -f "${this.options.managedFile}"`
      : `ssh-keygen -R "${knownHostName(target.host, target.port)}"`;
    return rejected(
      target,
      `its host key has CHANGED: it now presents the ${key.type} key ${fingerprint}, which is not the one on record. Someone may be ` +
        `intercepting the connection, or the host was reinstalled. Connecting was refused. Only if you have checked the new ` +
        `fingerprint on the host itself, remove the old key (${removal}) and connect again.`,
      'changed',
    );
  }

  private managedLines(): string[] {
    return readTextIfExists(this.options.managedFile)
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');
  }

  private append(alias: string, key: HostPublicKey): void {
    mkdirSync(dirname(this.options.managedFile), { recursive: true, mode: 0o700 });
    appendFileSync(this.options.managedFile, `${formatKnownHostLine(alias, key)}\n`, { mode: 0o600 });
  }

  private write(lines: readonly string[]): void {
    writeAtomically(this.options.managedFile, lines.map((line) => `${line}\n`).join(''), 0o600);
  }

  private read(file: string): KnownHostLine[] {
    return parseKnownHosts(readTextIfExists(file));
  }
}

function recordsAlias(line: string, alias: string): boolean {
  const [parsed] = parseKnownHosts(line);
  return parsed !== undefined && hostFieldMatches(parsed.hosts, alias);
}

function rejected(target: HostKeyTarget, reason: string, kind: 'revoked' | 'changed' | 'declined'): SwarmError {
  return new SwarmError('HOST_KEY_REJECTED', `SSH host "${target.name}" (${target.host}:${target.port}): ${reason}`, {
    details: { host: target.host, port: target.port, reason: kind },
  });
}
