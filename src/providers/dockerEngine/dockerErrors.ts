import { SwarmError, errorMessage } from '../../core/errors';
import { DOCKER_ENGINE_SETTINGS, type EngineSettingNames } from './dockerConnection';

/** What dockerode rejects with: Node socket errors carry `code`, engine replies carry `statusCode` and a JSON body. */
interface DockerodeError {
  code?: string;
  statusCode?: number;
  json?: unknown;
}

// EPIPE: the engine went away while a kept-alive connection to it was reused.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const DEFAULT_IMAGE_SETTING = 'docker.defaultImage';

export interface ErrorContext {
  /** What was being done, e.g. `Starting "dev-1"`. */
  action: string;
  /** Where the engine is expected (see describeHost). */
  host: string;
  signal?: AbortSignal;
  /** The settings that name the engine, for remedies; default docker.*. */
  settings?: EngineSettingNames;
}

export function engineUnavailable(host: string, detail: string, cause?: unknown, settings: EngineSettingNames = DOCKER_ENGINE_SETTINGS): SwarmError {
  const overNetwork = /^(tcp|https?):\/\//.test(host);
  const access = overNetwork
    ? `that it listens on that address, whether it expects TLS (${settings.tlsVerify}, ${settings.certPath})`
    : 'that your user may use its socket (a member of the "docker" group; log in again after adding it)';
  return new SwarmError('PROVIDER_UNAVAILABLE', `Cannot reach the Docker engine at ${host} (${detail}). Check that dockerd is running, ${access}, and which engine Remote Swarm is told to use.`, {
    cause,
    details: { host },
    remedy: { kind: 'setting', setting: settings.host },
  });
}

/** Node's codes for an engine certificate this side does not trust. */
const UNTRUSTED_ENGINE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A TLS handshake that failed: the engine's certificate not trusted here, ours refused there, or no TLS at all. */
function tlsRefused(host: string, code: string, cause: unknown, settings: EngineSettingNames): SwarmError | undefined {
  const reason = UNTRUSTED_ENGINE_CODES.has(code)
    ? `its certificate is not trusted (${code}); put the certificate authority that signed it as ca.pem in the folder ${settings.certPath} names`
    : code === 'ERR_SSL_WRONG_VERSION_NUMBER'
      ? `it does not answer TLS (${code}); turn ${settings.tlsVerify} off or name the engine's TLS port`
      : /^ERR_SSL_.*ALERT/.test(code)
        ? `it refused this side's TLS client certificate, or there was none (${code}); put the cert.pem and key.pem it accepts in the folder ${settings.certPath} names`
        : undefined;
  if (reason === undefined) return undefined;
  return new SwarmError('PROVIDER_UNAVAILABLE', `Cannot connect to the Docker engine at ${host} over TLS: ${reason}.`, {
    cause,
    details: { host, tls: code },
    remedy: { kind: 'setting', setting: settings.certPath },
  });
}

export function imageNotFound(image: string, detail: string, cause?: unknown): SwarmError {
  return new SwarmError(
    'IMAGE_NOT_FOUND',
    `Image "${image}" is not on this Docker host and could not be pulled (${detail}). Build or pull it ` +
      `(docker build / docker pull), or choose another default image or template image.`,
    { cause, details: { image }, remedy: { kind: 'setting', setting: DEFAULT_IMAGE_SETTING } },
  );
}

export function containerGone(id: string): SwarmError {
  return new SwarmError('INSTANCE_NOT_FOUND', `The container of instance "${id}" no longer exists; it was removed outside Remote Swarm.`, {
    details: { instance: id },
  });
}

export function cancelled(action: string): SwarmError {
  return new SwarmError('OPERATION_CANCELLED', `${action} was cancelled.`);
}

/** Maps anything dockerode throws to a SwarmError a user can act on; SwarmErrors pass through. */
export function toSwarmError(error: unknown, { action, host, signal, settings = DOCKER_ENGINE_SETTINGS }: ErrorContext): SwarmError {
  if (error instanceof SwarmError) return error;
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) return cancelled(action);
  const { code, statusCode } = error as DockerodeError;
  if (statusCode === undefined && code !== undefined && CONNECTION_CODES.has(code)) return engineUnavailable(host, code, error, settings);
  const tlsError = statusCode === undefined && code !== undefined ? tlsRefused(host, code, error, settings) : undefined;
  if (tlsError) return tlsError;

  const message = engineMessage(error);
  const cause = { cause: error };
  const hostPort = /(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]*\]|::):(\d+).*(?:port is already allocated|address already in use)/i.exec(message);
  if (hostPort) {
    return new SwarmError('CONFLICT', `Host port ${hostPort[1]}:${hostPort[2]} is already in use. Pick another host port, or leave it empty to let Docker choose a free one.`, {
      ...cause,
      details: { hostPort: Number(hostPort[2]) },
    });
  }
  const nameInUse = /container name "\/?([^"]+)" is already in use/.exec(message);
  if (nameInUse) {
    return new SwarmError('CONFLICT', `A container named "${nameInUse[1]}" already exists. Choose another instance name, or remove that container.`, cause);
  }
  if (statusCode === 409) {
    const reason = /is not running/.test(message) ? 'the instance is not running. Start it first.' : message;
    return new SwarmError('CONFLICT', `${action} failed: ${reason}`, cause);
  }
  if (statusCode === 404 && /no such container/i.test(message)) return new SwarmError('INSTANCE_NOT_FOUND', `${action} failed: the container no longer exists.`, cause);
  const resource = /range of cpus/i.test(message) ? 'resources.cpuCores' : /minimum memory limit/i.test(message) ? 'resources.memoryMB' : undefined;
  if (resource) return new SwarmError('RESOURCE_LIMIT_EXCEEDED', `${action} failed: ${resource}: ${message}`, { ...cause, details: { field: resource } });
  return new SwarmError('OPERATION_FAILED', `${action} failed: ${message}`, cause);
}

/** The engine's own message (its JSON body) rather than dockerode's "(HTTP code 409) unexpected - ..." wrapper. */
export function engineMessage(error: unknown): string {
  const { json } = error as DockerodeError;
  if (typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string') return json.message;
  return errorMessage(error).replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}
