import * as z from 'zod';
import { portNumberSchema } from '../core/models';
import { isExactHostName, POSIX_USER_NAME } from './sshFileValues';

/** Where and as whom to reach an existing machine over SSH; its host key is kept in a known_hosts file, never here. */
export const sshAddressSchema = z.object({
  host: z.string({ error: 'is required: a host name or an IP address' }).refine(isExactHostName, { error: 'must be a host name or an IP address, such as "build-box.example.com" or "10.0.0.5"' }),
  port: portNumberSchema.default(22),
  user: z.string({ error: 'is required: the user to log in as' }).regex(POSIX_USER_NAME, { error: 'must be a user name (letters, digits, ".", "_" and "-", not starting with "-"), such as "dev"' }),
  /** A private key file; absent means the keys of the running ssh-agent. */
  identityFile: z.string().regex(/^(\/|[A-Za-z]:[\\/])/, { error: 'must be an absolute path to a private key file' }).optional(),
});
export type SshAddress = z.infer<typeof sshAddressSchema>;
