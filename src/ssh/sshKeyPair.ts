import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KeyPair {
  privateKeyFile: string;
  /** The authorized_keys line: "ssh-ed25519 AAAA… comment". */
  publicKey: string;
}

/** The Ed25519 key pair at `privateKeyFile` (public key beside it as .pub), made on first use: private key 0600, folder 0700. */
export async function ensureKeyPair(privateKeyFile: string, comment: string): Promise<KeyPair> {
  const publicKeyFile = `${privateKeyFile}.pub`;
  if (existsSync(privateKeyFile) && existsSync(publicKeyFile)) return { privateKeyFile, publicKey: readFileSync(publicKeyFile, 'utf8').trim() };
  // ssh2 is loaded only when a key is made, not with the toolkit.
  const { utils } = (await import('ssh2')).default;
  const generated = utils.generateKeyPairSync('ed25519', { comment });
  mkdirSync(dirname(privateKeyFile), { recursive: true, mode: 0o700 });
  writeFileSync(privateKeyFile, generated.private, { mode: 0o600 });
  writeFileSync(publicKeyFile, `${generated.public}\n`, { mode: 0o644 });
  return { privateKeyFile, publicKey: generated.public };
}

export function removeKeyPair(privateKeyFile: string): void {
  rmSync(privateKeyFile, { force: true });
  rmSync(`${privateKeyFile}.pub`, { force: true });
}
