import type { InstanceConfig, SshHost } from '../../core/models';
import type { HostKeyTarget } from '../../ssh/hostKeyTrust';
import { hostAlias } from '../../ssh/sshDirectory';

/** How to reach one instance's host over SSH: address, user, key (absent: ssh-agent), and the alias its host key is kept under. */
export interface SshEndpoint extends HostKeyTarget {
  user: string;
  identityFile?: string;
}

function sshEndpoint(name: string, { host, port, user, identityFile }: SshHost): SshEndpoint {
  return { alias: hostAlias(name), name, host, port, user, ...(identityFile === undefined ? {} : { identityFile }) };
}

/** The endpoint of an "ssh" provider instance's configuration. */
export function endpointOfConfig(config: InstanceConfig): SshEndpoint | undefined {
  return config.sshHost && sshEndpoint(config.name, config.sshHost);
}
