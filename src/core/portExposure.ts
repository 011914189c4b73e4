import { invalidConfig } from './errors';
import { isLoopbackAddress } from './loopback';
import type { InstanceConfig, PortMapping } from './models';

/** Ports bound where other machines can reach them: to a network address, or to every address (0.0.0.0, ::). */
export function networkExposedPorts(ports: readonly PortMapping[]): PortMapping[] {
  return ports.filter((port) => !isLoopbackAddress(port.hostIp));
}

/** How a port is bound, as a person reads it: "0.0.0.0:8080 (every address)". */
export function describeBinding(port: Pick<PortMapping, 'hostIp' | 'host' | 'container'>): string {
  const address = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
  const every = port.hostIp === '0.0.0.0' || port.hostIp === '::' ? ' (every address)' : '';
  return `${address}:${port.host ?? port.container}${every}`;
}

/**
 * A configuration that publishes a port beyond loopback needs the user's consent, given with the request (a
 * template or a setting cannot give it). Ports exposed the same way before (an update of an instance the user
 * consented for) need none again. An IDE open to the network must ask for a password, consent or not.
 */
export function requireExposureConsent(config: InstanceConfig, consented: boolean, portsBefore: readonly PortMapping[] = []): void {
  config.ports.forEach((port, index) => {
    if (isLoopbackAddress(port.hostIp)) return;
    const field = `ports.${index}.hostIp`;
    if (port.purpose === 'ide' && config.auth.type === 'none') {
      throw invalidConfig('auth.type', `"none" leaves the IDE open to anyone who reaches ${describeBinding(port)}; use "password", or bind the port to 127.0.0.1`);
    }
    const known = portsBefore.some((before) => before.container === port.container && before.protocol === port.protocol && before.hostIp === port.hostIp);
    if (!consented && !known) {
      throw invalidConfig(
        field,
        `"${port.hostIp}" publishes port ${port.container} where other machines can reach it (${describeBinding(port)}); bind it to 127.0.0.1, ` +
          'or create the instance with the user\'s consent to network exposure',
      );
    }
  });
}
