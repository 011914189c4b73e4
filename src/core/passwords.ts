import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A code-server password: 24 characters from an unambiguous alphabet (~141 bits), without modulo bias. */
export function generatePassword(length = 24): string {
  let password = '';
  while (password.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 256 - (256 % ALPHABET.length) && password.length < length) password += ALPHABET[byte % ALPHABET.length];
    }
  }
  return password;
}

export function generateInstanceId(): string {
  return randomBytes(6).toString('hex');
}
