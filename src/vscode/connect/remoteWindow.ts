import type { Instance } from '../../core/models';
import { DOCKER_PROVIDER_TYPE, dockerContainerName } from '../../providers/docker';
import { hostAlias } from '../../ssh/sshDirectory';
import { attachedContainerName, sshRemoteHost, type WindowRemote } from './remoteUris';

/**
 * The instance a window is connected to, when Remote Swarm opened it (or could have): Remote-SSH to the instance's
 * host alias (remote-swarm.<name>), or Dev Containers attached to its Docker container. Undefined for any other window.
 */
export function instanceOfWindow(remote: WindowRemote, instances: readonly Instance[]): Instance | undefined {
  const sshHost = sshRemoteHost(remote);
  if (sshHost !== undefined) return instances.find((instance) => hostAlias(instance.name) === sshHost);
  const container = attachedContainerName(remote);
  if (container !== undefined) return instances.find((instance) => instance.provider === DOCKER_PROVIDER_TYPE && dockerContainerName(instance.name) === container);
  return undefined;
}
