import type { ProviderFactory } from '../../core/provider';
import { SSH_CAPABILITIES, SSH_DISPLAY_NAME, SSH_PROVIDER_TYPE, SshProvider, type SshProviderDependencies } from './sshProvider';

export { SshProvider, SSH_PROVIDER_TYPE, type SshProviderDependencies } from './sshProvider';

/** The SSH provider has no settings: what it needs (the host store, host key trust, passphrases) the extension injects. */
export function registerSshProvider(factory: ProviderFactory, dependencies: SshProviderDependencies): void {
  factory.register({
    type: SSH_PROVIDER_TYPE,
    displayName: SSH_DISPLAY_NAME,
    capabilities: SSH_CAPABILITIES,
    create: () => new SshProvider(dependencies),
  });
}
