import { refusedValue } from './sshFileValues';

/** A host's public key as the SSH wire format carries it (RFC 4253 §6.6): its algorithm name, then its data. */
export interface HostPublicKey {
  /** e.g. "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" */
  type: string;
  /** The whole key blob, base64 as in known_hosts and authorized_keys lines. */
  base64: string;
}

/** The host key types OpenSSH knows, and how many length-prefixed fields follow the name in each one's blob. */
const FIELDS_AFTER_TYPE = new Map<string, number>([
  ['ssh-ed25519', 1],
  ['ecdsa-sha2-nistp256', 2],
  ['ecdsa-sha2-nistp384', 2],
  ['ecdsa-sha2-nistp521', 2],
  ['ssh-rsa', 2],
  ['ssh-dss', 4],
  ['sk-ssh-ed25519@openssh.com', 2],
  ['sk-ecdsa-sha2-nistp256@openssh.com', 3],
]);
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The key a wire-format blob holds. It is refused (field "hostKey") unless it is a well-formed key of a type OpenSSH
 * knows: its type is written into known_hosts and shown to the user, so it may hold nothing else.
 */
export function hostPublicKey(blob: Buffer): HostPublicKey {
  const fields = blobFields(blob);
  const type = fields?.[0]?.toString('latin1');
  const expected = type === undefined ? undefined : FIELDS_AFTER_TYPE.get(type);
  if (fields === undefined || type === undefined || expected === undefined) {
    throw refusedValue('hostKey', type ?? blob.toString('base64').slice(0, 40), `is not a host key of a type OpenSSH knows (${[...FIELDS_AFTER_TYPE.keys()].join(', ')})`, 'a known_hosts file');
  }
  const curve = /^(?:sk-)?ecdsa-sha2-(nistp\d+)/.exec(type)?.[1];
  const wellFormed = fields.length === expected + 1 && (curve === undefined || fields[1]?.toString('latin1') === curve) && (!type.includes('ed25519') || fields[1]?.length === 32);
  if (!wellFormed) throw refusedValue('hostKey', type, 'names a key whose data is not that of such a key', 'a known_hosts file');
  return { type, base64: blob.toString('base64') };
}

/** A key written as text, as in known_hosts and *.pub lines: its base64 must be canonical and its blob's own type `type`. */
export function hostPublicKeyOfText(type: string, base64: string): HostPublicKey {
  if (!CANONICAL_BASE64.test(base64) || base64 === '') throw refusedValue('hostKey', base64, 'is not the base64 of a key', 'a known_hosts file');
  const key = hostPublicKey(Buffer.from(base64, 'base64'));
  if (key.type !== type) throw refusedValue('hostKey', type, `is not the type its key data names (${key.type})`, 'a known_hosts file');
  return key;
}

/** The length-prefixed strings a blob is made of (RFC 4251 §5), or undefined when it is not made of them exactly. */
function blobFields(blob: Buffer): Buffer[] | undefined {
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length; ) {
    if (offset + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(offset);
    if (offset + 4 + length > blob.length) return undefined;
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields.length === 0 ? undefined : fields;
}
