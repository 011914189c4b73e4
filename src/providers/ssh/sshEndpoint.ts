import type { InstanceConfig } from '../../core/models';
import type { HostKeyTarget } from '../../ssh/hostKeyTrust';
import { sshAddressSchema } from '../../ssh/sshAddress';
import { hostAlias } from '../../ssh/sshDirectory';

/** How to reach one instance's host over SSH: address, user, key (absent: ssh-agent), and the alias its host key is kept under. */
export interface SshEndpoint extends HostKeyTarget {
  user: string;
  identityFile?: string;
}

/** The endpoint of an "ssh" provider instance's configuration (its options), or undefined when they hold no valid address. */
export function endpointOfConfig(config: InstanceConfig): SshEndpoint | undefined {
  const parsed = sshAddressSchema.safeParse(config.options);
  if (!parsed.success) return undefined;
  const { host, port, user, identityFile } = parsed.data;
  return { alias: hostAlias(config.name), name: config.name, host, port, user, ...(identityFile === undefined ? {} : { identityFile }) };
}
