import { join } from 'node:path';
import { SwarmError } from '../core/errors';
import type { Instance } from '../core/models';
import type { ExecResult, SshEndpointDescription } from '../core/provider';
import { hostPublicKey, type HostPublicKey } from './hostKeyFingerprint';
import type { HostKeyTrust } from './hostKeyTrust';
import { ManagedSshConfig, type SshHostEntry } from './managedSshConfig';
import { sshAddressSchema } from './sshAddress';
import { hostAlias, type SshDirectory } from './sshDirectory';
import { ensureKeyPair, removeKeyPair } from './sshKeyPair';

/** Runs argv in the instance (its provider's executeCommand). */
export type RunInInstance = (argv: readonly string[]) => Promise<ExecResult>;

/** Adds a public key to the user's ~/.ssh/authorized_keys once. $1 is the key line; the script is fixed. */
const AUTHORIZE_KEY =
  'umask 077; mkdir -p "$HOME/.ssh" && touch "$HOME/.ssh/authorized_keys" && { grep -qxF "$1" "$HOME/.ssh/authorized_keys" || printf "%s\\n" "$1" >> "$HOME/.ssh/authorized_keys"; }';
const READ_HOST_KEYS = 'cat /etc/ssh/ssh_host_*_key.pub 2>/dev/null; true';

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

  /** Prepares the instance, reached at the SSH endpoint its provider describes, and returns the host name to connect to. */
  async prepare(instance: Instance, endpoint: SshEndpointDescription | undefined, run: RunInInstance): Promise<string> {
    if (endpoint === undefined) {
      throw new SwarmError('CONFLICT', `"${instance.name}" publishes no SSH port. Give its template a port with "purpose": "ssh" (e.g. container port 22) and an image that runs sshd.`);
    }
    const entry = endpoint.kind === 'existing-host' ? await this.existingHost(instance, endpoint, run) : await this.provisioned(instance, endpoint, run);
    this.config.upsert(entry);
    return entry.alias;
  }

  /** Removes what prepare made for an instance that is gone: Host block, host keys, key pair. */
  forget({ name }: Pick<Instance, 'name'>): void {
    const alias = hostAlias(name);
    this.config.remove(alias);
    this.trust.forget(alias);
    removeKeyPair(this.keyFile(name));
  }

  private async existingHost(instance: Instance, { host, port, user, identityFile, proxyCommand }: SshEndpointDescription, run: RunInInstance): Promise<SshHostEntry> {
    if (user === undefined) throw new SwarmError('CONFLICT', `"${instance.name}": its provider names no SSH user for this host.`);
    // Connecting verifies the host key (asking on first use) and records it under the alias.
    succeeded(await run(['true']), 'Connecting');
    return { alias: hostAlias(instance.name), hostName: host, port, user, identityFile, proxyCommand, knownHostsFile: this.directory.knownHostsFile };
  }

  /** An instance Remote Swarm made: host keys read and a key of our own authorized through the provider, which needs no trust on first use. */
  private async provisioned(instance: Instance, { host, port, proxyCommand }: SshEndpointDescription, run: RunInInstance): Promise<SshHostEntry> {
    const hostKeys = parseHostKeys(succeeded(await run(['sh', '-c', READ_HOST_KEYS]), 'Reading its SSH host keys').stdout);
    if (hostKeys.length === 0) throw new SwarmError('CONFLICT', `"${instance.name}" has no SSH host keys in /etc/ssh: its image does not run an SSH server.`);
    const keyPair = await ensureKeyPair(this.keyFile(instance.name), `remote-swarm ${instance.name}`);
    succeeded(await run(['sh', '-c', AUTHORIZE_KEY, 'authorize-key', keyPair.publicKey]), 'Authorizing its key');
    const user = loginName(succeeded(await run(['id', '-un']), 'Finding its user').stdout, instance.name);
    const alias = hostAlias(instance.name);
    this.trust.replace(alias, hostKeys);
    return { alias, hostName: host, port, user, identityFile: keyPair.privateKeyFile, proxyCommand, knownHostsFile: this.directory.knownHostsFile };
  }

  private keyFile(instanceName: string): string {
    return join(this.directory.keysDir, instanceName);
  }
}

/** The host keys in `ssh_host_*_key.pub` lines ("type base64 comment"). */
function parseHostKeys(text: string): HostPublicKey[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[1])
    .filter((base64): base64 is string => base64 !== undefined && base64 !== '')
    .map((base64) => hostPublicKey(Buffer.from(base64, 'base64')));
}

/** The instance's own answer to `id -un`: only a plain user name may reach the ssh config. */
function loginName(output: string, instanceName: string): string {
  const user = output.trim();
  if (!sshAddressSchema.shape.user.safeParse(user).success) {
    throw new SwarmError('OPERATION_FAILED', `"${instanceName}" gave ${JSON.stringify(user.slice(0, 64))} as its user name, which is not a plain user name; nothing was written.`);
  }
  return user;
}

function succeeded(result: ExecResult, action: string): ExecResult {
  if (result.exitCode !== 0) throw new SwarmError('OPERATION_FAILED', `${action} failed (exit code ${result.exitCode}): ${result.stderr.trim() || 'no output'}`);
  return result;
}
