import { invalidConfig } from './errors';
import { isLoopbackAddress } from './loopback';
import type { InstanceConfig, PortMapping } from './models';

/**
 * Ports bound where other machines can reach them: to a network address, or to every address (0.0.0.0, ::). Where the
 * provider publishes every port on all addresses whatever its hostIp (capability `publishesOnAllAddresses`), all are.
 */
export function networkExposedPorts(ports: readonly PortMapping[], publishesOnAllAddresses = false): PortMapping[] {
  return publishesOnAllAddresses ? [...ports] : ports.filter((port) => !isLoopbackAddress(port.hostIp));
}

/** How a port is bound, as a person reads it: "0.0.0.0:8080 (every address)". */
export function describeBinding(port: Pick<PortMapping, 'hostIp' | 'host' | 'container'>): string {
  const address = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
  const every = port.hostIp === '0.0.0.0' || port.hostIp === '::' ? ' (every address)' : '';
  return `${address}:${port.host ?? port.container}${every}`;
}

export interface ExposureCheck {
  /** The ports of the instance before an update: ports exposed the same way then need no consent again. */
  portsBefore?: readonly PortMapping[];
  /** The provider publishes every port on all addresses, whatever its hostIp (Docker Swarm). */
  publishesOnAllAddresses?: boolean;
}

/**
 * A configuration that publishes a port beyond loopback needs the user's consent, given with the request (a
 * template or a setting cannot give it). Ports exposed the same way before (an update of an instance the user
 * consented for) need none again. An IDE open to the network must ask for a password, consent or not.
 */
export function requireExposureConsent(config: InstanceConfig, consented: boolean, { portsBefore = [], publishesOnAllAddresses = false }: ExposureCheck = {}): void {
  config.ports.forEach((port, index) => {
    // A loopback hostIp the provider cannot honour: the port is open on every address of the machine running the instance.
    const unhonoured = isLoopbackAddress(port.hostIp);
    if (unhonoured && !publishesOnAllAddresses) return;
    const where = unhonoured ? `port ${port.host ?? port.container} on every address of the machine running it` : describeBinding(port);
    if (port.purpose === 'ide' && config.auth.type === 'none') {
      throw invalidConfig('auth.type', `"none" leaves the IDE open to anyone who reaches ${where}; use "password"${unhonoured ? '' : ', or bind the port to 127.0.0.1'}`);
    }
    const known = portsBefore.some((before) => before.container === port.container && before.protocol === port.protocol && before.hostIp === port.hostIp);
    if (!consented && !known) {
      throw invalidConfig(
        `ports.${index}.hostIp`,
        unhonoured
          ? `"${port.hostIp}" cannot keep port ${port.container} on loopback: the provider publishes ${where}, where other machines can reach it; ` +
              'create the instance with the user\'s consent to network exposure'
          : `"${port.hostIp}" publishes port ${port.container} where other machines can reach it (${where}); bind it to 127.0.0.1, ` +
              'or create the instance with the user\'s consent to network exposure',
      );
    }
  });
}
