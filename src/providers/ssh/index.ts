import type { ProviderRegistration } from '../../core/provider';
import { sshAddressSchema } from '../../ssh/sshAddress';
import type { SshToolkit } from '../../ssh/sshToolkit';
import { SSH_CAPABILITIES, SSH_DISPLAY_NAME, SSH_PROVIDER_TYPE } from './sshDescription';

export { SSH_PROVIDER_TYPE } from './sshDescription';

/**
 * Existing machines reached over SSH. It has no settings; each instance's options say where the host is. Host keys
 * and key passphrases go through the front end's SSH toolkit, so the user is asked in that front end's way.
 */
export function sshProvider(toolkit: Pick<SshToolkit, 'trust' | 'passphrases'>): ProviderRegistration {
  return {
    type: SSH_PROVIDER_TYPE,
    displayName: SSH_DISPLAY_NAME,
    capabilities: SSH_CAPABILITIES,
    instanceOptions: {
      schema: sshAddressSchema,
      fields: [
        { name: 'host', description: 'Host name or IP address', required: true },
        { name: 'port', description: 'SSH port (default 22)', required: false },
        { name: 'user', description: 'User to log in as', required: true },
        { name: 'identityFile', description: 'Absolute path of a private key; without it, the ssh-agent\'s keys', required: false },
      ],
    },
    // The implementation, and ssh2 with it, loads when a provider is first made, not with the registration.
    create: async (_settings, { state }) => {
      const { SshProvider } = await import('./sshProvider');
      return new SshProvider({ hosts: state, trust: toolkit.trust, passphrases: toolkit.passphrases });
    },
  };
}
