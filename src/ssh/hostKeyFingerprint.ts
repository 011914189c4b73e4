import { createHash } from 'node:crypto';

/** A host's public key as the SSH wire format carries it (RFC 4253 §6.6): its algorithm name, then its data. */
export interface HostPublicKey {
  /** e.g. "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" */
  type: string;
  /** The whole key blob, base64 as in known_hosts and authorized_keys lines. */
  base64: string;
}

export function hostPublicKey(blob: Buffer): HostPublicKey {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (length <= 0 || 4 + length > blob.length) throw new Error('the server sent a malformed host key');
  return { type: blob.subarray(4, 4 + length).toString('latin1'), base64: blob.toString('base64') };
}

/** The fingerprint OpenSSH shows (ssh-keygen -lf): "SHA256:" and unpadded base64 of the key blob's SHA-256. */
export function sha256Fingerprint(key: HostPublicKey): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(key.base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}
