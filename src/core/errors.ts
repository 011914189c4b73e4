import { redactUrls } from './redaction';

export type SwarmErrorCode =
  | 'INSTANCE_NOT_FOUND'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_NOT_REGISTERED'
  | 'AUTH_FAILED'
  /** An SSH host's key is not the one recorded for it, or the user did not trust it on first use. */
  | 'HOST_KEY_REJECTED'
  | 'RATE_LIMITED'
  | 'RESOURCE_LIMIT_EXCEEDED'
  | 'INVALID_CONFIG'
  | 'CONFLICT'
  | 'IMAGE_NOT_FOUND'
  | 'OPERATION_CANCELLED'
  | 'OPERATION_FAILED';

const RETRYABLE_BY_DEFAULT: ReadonlySet<SwarmErrorCode> = new Set(['PROVIDER_UNAVAILABLE', 'RATE_LIMITED']);

/**
 * What fixes an error, said without any front end's words: each front end renders it its own way (VS Code: a button
 * opening the setting or running the command; the CLI: the command line to type).
 */
export type Remedy =
  /** Change a setting, named by its key under the remoteSwarm namespace, e.g. "maxInstances", "docker.host". */
  | { kind: 'setting'; setting: string }
  /** Store a secret a provider reads, e.g. a Fly.io API token (see ProviderRegistration.secrets). */
  | { kind: 'secret'; secret: string; label: string }
  /** Look again: list the instances afresh from their providers. */
  | { kind: 'refresh' };

export interface SwarmErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** Machine-readable detail, e.g. the offending field of an INVALID_CONFIG. */
  details?: Record<string, unknown>;
  remedy?: Remedy;
}

/**
 * The one error type the core and the UI deal in. Provider SDK errors are mapped to it at the provider boundary.
 * Credentials in a URL in the message (a Docker host, an API endpoint) never reach it.
 */
export class SwarmError extends Error {
  readonly code: SwarmErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly remedy: Remedy | undefined;

  constructor(code: SwarmErrorCode, message: string, options: SwarmErrorOptions = {}) {
    super(redactUrls(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwarmError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = options.details ?? {};
    this.remedy = options.remedy;
  }

  static is(error: unknown, code?: SwarmErrorCode): error is SwarmError {
    return error instanceof SwarmError && (code === undefined || error.code === code);
  }
}

export function invalidConfig(field: string, message: string, cause?: unknown): SwarmError {
  return new SwarmError('INVALID_CONFIG', `${field}: ${message}`, { details: { field }, cause });
}

export function instanceNotFound(idOrName: string): SwarmError {
  return new SwarmError('INSTANCE_NOT_FOUND', `No instance "${idOrName}" is registered.`, {
    details: { instance: idOrName },
    remedy: { kind: 'refresh' },
  });
}

/** The message of anything thrown, for logs and notifications, without the credentials of any URL in it. */
export function errorMessage(error: unknown): string {
  return redactUrls(error instanceof Error ? error.message : String(error));
}
