import { sshAddressSchema, type SshAddress } from '../../ssh/sshAddress';

export type SshDestination = Omit<SshAddress, 'identityFile'>;

/** "[user@]host[:port]", IPv6 in brackets ("user@[::1]:2222"): the destination as ssh users write it; or what is wrong with it. */
export function parseSshDestination(text: string, defaultUser: string): SshDestination | string {
  const match = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s]+)(?::(\d+))?$/.exec(text.trim());
  if (!match) return 'Write the destination as user@host or user@host:port, e.g. dev@build-box.example.com:2222';
  const [, user = defaultUser, rawHost = '', port] = match;
  const parsed = sshAddressSchema.safeParse({ user, host: rawHost.replace(/^\[|\]$/g, ''), port: port === undefined ? 22 : Number(port) });
  if (parsed.success) return { host: parsed.data.host, port: parsed.data.port, user: parsed.data.user };
  const issue = parsed.error.issues[0];
  return `The ${String(issue?.path[0] ?? 'destination')} ${issue?.message ?? 'is not valid'}`;
}

/** A suggested instance name from a host name: its first label, or "host-<address>" for an IP address. */
export function suggestedName(host: string): string {
  const label = /^\d+(\.\d+){3}$/.test(host) || host.includes(':') ? `host-${host}` : (host.split('.')[0] ?? host);
  const name = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-/, '').slice(0, 57).replace(/-$/, '');
  return /^[a-z]/.test(name) ? name : `host-${name}`;
}
