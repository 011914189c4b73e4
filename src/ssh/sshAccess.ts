import { join } from 'node:path';
import { SwarmError } from '../core/errors';
import type { Instance } from '../core/models';
import type { ExecResult, SshEndpointDescription } from '../core/provider';
import { hostPublicKeyOfText, type HostPublicKey } from './hostPublicKey';
import type { HostKeyTrust } from './hostKeyTrust';
import { ManagedSshConfig, type SshHostEntry } from './managedSshConfig';
import { hostAlias, type SshDirectory } from './sshDirectory';
import { refusedValue } from './sshFileValues';
import { ensureKeyPair, removeKeyPair } from './sshKeyPair';

/** Runs argv in the instance (its provider's executeCommand). */
export type RunInInstance = (argv: readonly string[]) => Promise<ExecResult>;

/** Adds a public key to the user's ~/.ssh/authorized_keys once. $1 is the key line; the script is fixed. */
const AUTHORIZE_KEY =
  'umask 077; mkdir -p "$HOME/.ssh" && touch "$HOME/.ssh/authorized_keys" && { grep -qxF "$1" "$HOME/.ssh/authorized_keys" || printf "%s\\n" "$1" >> "$HOME/.ssh/authorized_keys"; }';
/** Each key file on its own line, even one that does not end with a line break. */
const READ_HOST_KEYS = 'for file in /etc/ssh/ssh_host_*_key.pub; do [ -f "$file" ] && cat "$file" && echo; done; true';

/** An existing SSH host, or an instance publishing an "ssh" port (a container running sshd): its provider names an SSH URL. */
export function isSshReachable(instance: Instance): boolean {
  return instance.urls.ssh !== undefined;
}

/**
 * Makes `ssh remote-swarm.<name>` work for an instance, which is what Remote-SSH connects to: its Host block in the
 * managed ssh config, its host key in the managed known_hosts. For an existing host the key is the user's own and the
 * host key was verified when connecting; for a container its own key pair is made and authorized, and its host keys
 * are read through the provider (a channel that needs no trust on first use).
 */
export class SshAccess {
  private readonly config: ManagedSshConfig;

  constructor(
    private readonly directory: SshDirectory,
    private readonly trust: HostKeyTrust,
  ) {
    this.config = new ManagedSshConfig(directory.configFile);
  }

  /**
   * Prepares the instance, reached at the SSH endpoint its provider describes, and returns the host name to connect to.
   * What the instance supplies (its user name, its host keys) is checked before anything is written; when a value is
   * refused, nothing is.
   */
  async prepare(instance: Instance, endpoint: SshEndpointDescription | undefined, run: RunInInstance): Promise<string> {
    if (endpoint === undefined) {
      throw new SwarmError('CONFLICT', `"${instance.name}" publishes no SSH port. Give its template a port with "purpose": "ssh" (e.g. container port 22) and an image that runs sshd.`);
    }
    try {
      const entry = endpoint.kind === 'existing-host' ? await this.existingHost(instance, endpoint, run) : await this.provisioned(instance, endpoint, run);
      return entry.alias;
    } catch (error) {
      if (!SwarmError.is(error, 'INVALID_CONFIG')) throw error;
      throw new SwarmError('INVALID_CONFIG', `SSH access to "${instance.name}" was not prepared. ${error.message}`, { details: error.details, cause: error });
    }
  }

  /** Removes what prepare made for an instance that is gone: Host block, host keys, key pair; each even when another cannot be. */
  forget({ name }: Pick<Instance, 'name'>): void {
    const alias = hostAlias(name);
    let failure: unknown;
    for (const remove of [() => this.config.remove(alias), () => this.trust.forget(alias), () => removeKeyPair(this.keyFile(name))]) {
      try {
        remove();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }

  private async existingHost(instance: Instance, { host, port, user, identityFile, proxyCommand }: SshEndpointDescription, run: RunInInstance): Promise<SshHostEntry> {
    if (user === undefined) throw new SwarmError('CONFLICT', `"${instance.name}": its provider names no SSH user for this host.`);
    const entry = { alias: hostAlias(instance.name), hostName: host, port, user, identityFile, proxyCommand, knownHostsFile: this.directory.knownHostsFile };
    this.config.check(entry);
    // Connecting verifies the host key (asking on first use) and records it under the alias.
    succeeded(await run(['true']), 'Connecting');
    this.config.upsert(entry);
    return entry;
  }

  /** An instance Remote Swarm made: host keys read and a key of our own authorized through the provider, which needs no trust on first use. */
  private async provisioned(instance: Instance, { host, port, proxyCommand }: SshEndpointDescription, run: RunInInstance): Promise<SshHostEntry> {
    const hostKeys = parseHostKeys(succeeded(await run(['sh', '-c', READ_HOST_KEYS]), 'Reading its SSH host keys').stdout);
    if (hostKeys.length === 0) throw new SwarmError('CONFLICT', `"${instance.name}" has no SSH host keys in /etc/ssh: its image does not run an SSH server.`);
    const user = succeeded(await run(['id', '-un']), 'Finding its user').stdout.trim();
    const alias = hostAlias(instance.name);
    const entry = { alias, hostName: host, port, user, identityFile: this.keyFile(instance.name), proxyCommand, knownHostsFile: this.directory.knownHostsFile };
    this.config.check(entry);
    this.trust.check(alias, hostKeys);
    const keyPair = await ensureKeyPair(entry.identityFile, `remote-swarm ${instance.name}`);
    succeeded(await run(['sh', '-c', AUTHORIZE_KEY, 'authorize-key', keyPair.publicKey]), 'Authorizing its key');
    this.trust.replace(alias, hostKeys);
    this.config.upsert(entry);
    return entry;
  }

  private keyFile(instanceName: string): string {
    return join(this.directory.keysDir, instanceName);
  }
}

/** The host keys in `ssh_host_*_key.pub` lines ("type base64 comment"), each checked: a line that is not a key of a known type is refused. */
function parseHostKeys(text: string): HostPublicKey[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [type, base64] = line.trim().split(/\s+/);
      if (type === undefined || base64 === undefined) throw refusedValue('hostKey', line, 'is not a key line ("type base64 comment")', 'a known_hosts file');
      return hostPublicKeyOfText(type, base64);
    });
}

function succeeded(result: ExecResult, action: string): ExecResult {
  if (result.exitCode !== 0) throw new SwarmError('OPERATION_FAILED', `${action} failed (exit code ${result.exitCode}): ${result.stderr.trim() || 'no output'}`);
  return result;
}
