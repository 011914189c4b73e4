import { errorMessage, SwarmError } from '../../core/errors';
import type { SshEndpoint } from './sshEndpoint';

/** ssh2 tags connection errors with the stage that failed. */
interface Ssh2Error {
  level?: string;
  code?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** Maps a failed ssh2 connection to a SwarmError naming the host and what to check. */
export function connectionError(error: unknown, endpoint: SshEndpoint, readyTimeoutMs: number): SwarmError {
  if (error instanceof SwarmError) return error;
  const { level, code } = error as Ssh2Error;
  const where = describeEndpoint(endpoint);
  if (level === 'client-authentication') {
    const credential = endpoint.identityFile === undefined ? 'any key of your ssh-agent' : `the key ${endpoint.identityFile}`;
    return new SwarmError(
      'AUTH_FAILED',
      `${where} did not accept ${credential}. Check the user name, and that the matching public key is in ~/.ssh/authorized_keys on the host.`,
      { cause: error, details: { host: endpoint.host, port: endpoint.port } },
    );
  }
  if (/agent/i.test(errorMessage(error)) && endpoint.identityFile === undefined) {
    return new SwarmError('AUTH_FAILED', `Cannot use your ssh-agent for ${where} (${errorMessage(error)}). Check that it runs and SSH_AUTH_SOCK points at it, or use a key file.`, {
      cause: error,
      details: { host: endpoint.host, port: endpoint.port },
    });
  }
  if (level === 'client-timeout') {
    return unreachable(endpoint, `no SSH handshake within ${readyTimeoutMs / 1000} s`, error);
  }
  if (level === 'client-socket' || (code !== undefined && NETWORK_CODES.has(code))) return unreachable(endpoint, code ?? errorMessage(error), error);
  return new SwarmError('OPERATION_FAILED', `The SSH connection to ${where} failed: ${errorMessage(error)}`, { cause: error });
}

export function describeEndpoint({ user, host, port }: SshEndpoint): string {
  return `${user}@${host}:${port}`;
}

function unreachable(endpoint: SshEndpoint, detail: string, cause: unknown): SwarmError {
  return new SwarmError(
    'PROVIDER_UNAVAILABLE',
    `Cannot reach ${describeEndpoint(endpoint)} over SSH (${detail}). Check that the host is up, its address and port, and that sshd runs there.`,
    { cause, details: { host: endpoint.host, port: endpoint.port } },
  );
}
