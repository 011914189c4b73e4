/**
 * Whether a URL's hostname names this machine's loopback interface: localhost, 127.0.0.0/8 or ::1. A name that only
 * starts like one (127.example.com) does not.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === 'localhost' || name === '::1' || name === '[::1]' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(name);
}
