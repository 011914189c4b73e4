import { readFileSync } from 'node:fs';
import { Client, utils, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { errorMessage, invalidConfig, SwarmError } from '../../core/errors';
import { hostPublicKey } from '../../ssh/hostPublicKey';
import type { HostKeyTrust } from '../../ssh/hostKeyTrust';
import type { KeyPassphrases } from '../../ssh/keyPassphrases';
import { connectionError } from './sshErrors';
import type { SshEndpoint } from './sshEndpoint';

export interface SshConnectOptions {
  trust: HostKeyTrust;
  passphrases: KeyPassphrases;
  /** How long the TCP connect plus SSH handshake may take. */
  readyTimeoutMs: number;
  /** The ssh-agent socket for endpoints without a key file; default SSH_AUTH_SOCK. */
  agentSocket?: string;
}

/** ssh2's host key algorithms, by the key type each verifies with: the order it asks for them in, unless told otherwise. */
const HOST_KEY_ALGORITHMS: readonly (readonly [keyType: string, algorithm: ServerHostKeyAlgorithm])[] = [
  ['ssh-ed25519', 'ssh-ed25519'],
  ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521'],
  ['ssh-rsa', 'rsa-sha2-512'],
  ['ssh-rsa', 'rsa-sha2-256'],
  ['ssh-rsa', 'ssh-rsa'],
];

/**
 * Asks first for a key of a type on record for the host, as OpenSSH does: a host with an RSA key on record that also
 * has an Ed25519 one would otherwise present the Ed25519 key, which is refused as not the one on record.
 */
function hostKeyAlgorithms(recordedTypes: readonly string[]): ServerHostKeyAlgorithm[] | undefined {
  if (recordedTypes.length === 0) return undefined;
  const recorded = HOST_KEY_ALGORITHMS.filter(([type]) => recordedTypes.includes(type));
  return [...recorded, ...HOST_KEY_ALGORITHMS.filter((entry) => !recorded.includes(entry))].map(([, algorithm]) => algorithm);
}

/** Seconds between keepalives; after three unanswered ones the connection counts as lost. */
const KEEPALIVE_INTERVAL_MS = 15_000;

/**
 * An authenticated ssh2 connection. The host key is checked by `trust` before any credential is sent; a rejected key,
 * refused credentials or an unreachable host become SwarmErrors (HOST_KEY_REJECTED, AUTH_FAILED, PROVIDER_UNAVAILABLE).
 */
export async function connectSsh(endpoint: SshEndpoint, options: SshConnectOptions): Promise<Client> {
  const credentials = await credentialsFor(endpoint, options);
  const serverHostKey = hostKeyAlgorithms(options.trust.recordedKeyTypes(endpoint));
  const client = new Client();
  let hostKeyRejection: unknown;
  return new Promise((resolve, reject) => {
    // ssh2 may report more than one error for one failed attempt (e.g. the agent, then authentication): the first decides.
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      deadline.stop();
      client.destroy();
      reject(hostKeyRejection ?? connectionError(error, endpoint, options.readyTimeoutMs));
    };
    // The handshake's deadline stands still while the user reads a host key's fingerprint.
    const deadline = new HandshakeDeadline(options.readyTimeoutMs, () => fail(Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' })));
    client.on('error', fail);
    client.once('ready', () => {
      settled = true;
      deadline.stop();
      client.removeListener('error', fail);
      resolve(client);
    });
    deadline.start();
    client.connect({
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      ...credentials,
      readyTimeout: 0,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: 3,
      ...(serverHostKey === undefined ? {} : { algorithms: { serverHostKey } }),
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        deadline.pause();
        Promise.resolve()
          .then(() => options.trust.verify(endpoint, hostPublicKey(key)))
          .then(
            () => {
              deadline.start();
              verify(true);
            },
            (error: unknown) => {
              hostKeyRejection = error;
              verify(false);
            },
          );
      },
    });
  });
}

/** A timeout that can be paused: what is left runs on after start(). */
class HandshakeDeadline {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private remainingMs: number,
    private readonly expired: () => void,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.timer = setTimeout(this.expired, this.remainingMs);
  }

  pause(): void {
    clearTimeout(this.timer);
    this.remainingMs -= Date.now() - this.startedAt;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

async function credentialsFor(endpoint: SshEndpoint, options: SshConnectOptions): Promise<Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'>> {
  if (endpoint.identityFile !== undefined) return privateKeyCredentials(endpoint.identityFile, options.passphrases);
  const agent = options.agentSocket ?? process.env.SSH_AUTH_SOCK ?? (process.platform === 'win32' ? '\\\\.\\pipe\\openssh-ssh-agent' : undefined);
  if (agent === undefined) {
    throw new SwarmError('AUTH_FAILED', `No ssh-agent is running for ${endpoint.user}@${endpoint.host} (SSH_AUTH_SOCK is not set). Start one and add your key (ssh-add), or use a key file.`);
  }
  return { agent };
}

/** The key file's content, with its passphrase when it is encrypted (checked here, before connecting). */
async function privateKeyCredentials(keyFile: string, passphrases: KeyPassphrases): Promise<Pick<ConnectConfig, 'privateKey' | 'passphrase'>> {
  let privateKey: Buffer;
  try {
    privateKey = readFileSync(keyFile);
  } catch (error) {
    throw invalidConfig('identityFile', `cannot read the key file ${keyFile}: ${errorMessage(error)}`, error);
  }
  const parsed = utils.parseKey(privateKey);
  if (!(parsed instanceof Error)) return { privateKey };
  if (!/no passphrase/i.test(parsed.message)) throw invalidConfig('identityFile', `${keyFile} is not a private key SSH can use: ${parsed.message}`, parsed);
  const passphrase = await passphrases.get(keyFile);
  if (passphrase === undefined) throw new SwarmError('AUTH_FAILED', `The key ${keyFile} is encrypted and no passphrase was given.`);
  if (utils.parseKey(privateKey, passphrase) instanceof Error) {
    await passphrases.forget(keyFile);
    throw new SwarmError('AUTH_FAILED', `The passphrase does not unlock the key ${keyFile}; you will be asked again on the next attempt.`);
  }
  await passphrases.remember(keyFile, passphrase);
  return { privateKey, passphrase };
}
