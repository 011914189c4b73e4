import type { ProviderRegistration } from '../core/provider';
import type { SshToolkit } from '../ssh/sshToolkit';
import { dockerProvider } from './docker';
import { flyProvider } from './fly';
import { sshProvider } from './ssh';
import { swarmProvider } from './swarm';

/** Every provider Remote Swarm ships, as each front end registers them: a new provider is one more line here. */
export function builtinProviders(ssh: SshToolkit): ProviderRegistration[] {
  return [dockerProvider, flyProvider, sshProvider(ssh), swarmProvider];
}
