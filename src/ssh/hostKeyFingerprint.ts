import { createHash } from 'node:crypto';
import type { HostPublicKey } from './hostPublicKey';

/** The fingerprint OpenSSH shows (ssh-keygen -lf): "SHA256:" and unpadded base64 of the key blob's SHA-256. */
export function sha256Fingerprint(key: HostPublicKey): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(key.base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}
