import { BlockList, isIP } from 'node:net';

/**
 * Whether a URL's hostname names this machine's loopback interface: localhost, 127.0.0.0/8 or ::1. A name that only
 * starts like one (127.example.com) does not.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === 'localhost' || name === '::1' || name === '[::1]' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(name);
}

const LOOPBACK_ADDRESSES = new BlockList();
LOOPBACK_ADDRESSES.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK_ADDRESSES.addAddress('::1', 'ipv6');

/** Whether an IP address (a port's bind address) is loopback: 127.0.0.0/8 or ::1, also written out or IPv4-mapped. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK_ADDRESSES.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
