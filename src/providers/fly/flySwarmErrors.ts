import { SwarmError, errorMessage, type Remedy, type SwarmErrorCode } from '../../core/errors';
import { FlyError } from './flyErrors';
import { FLY_TOKEN_SECRET } from './flySecrets';

const SET_TOKEN: Remedy = { kind: 'secret', secret: FLY_TOKEN_SECRET.key, label: FLY_TOKEN_SECRET.label };

export interface FlyErrorContext {
  /** What was being done, e.g. `Starting "dev-1"`. */
  action: string;
  apiUrl: string;
  region?: string;
}

export function missingToken(): SwarmError {
  return new SwarmError('AUTH_FAILED', `No Fly.io API token is set. Set one: ${FLY_TOKEN_SECRET.hint}.`, { remedy: SET_TOKEN });
}

export function instanceGone(id: string): SwarmError {
  return new SwarmError('INSTANCE_NOT_FOUND', `The Fly.io machine of instance "${id}" no longer exists; it was removed outside Remote Swarm.`, {
    details: { instance: id },
  });
}

function attemptsNote(error: FlyError): string {
  return error.attempts > 1 ? ` (after ${error.attempts} attempts)` : '';
}

/** Fly's message for a failure, with how many attempts it took. */
export function flyFailureText(error: unknown): string {
  return error instanceof FlyError ? `${error.message}${attemptsNote(error)}` : errorMessage(error);
}

interface Mapped {
  code: SwarmErrorCode;
  message: string;
  retryable?: boolean;
  remedy?: Remedy;
}

function describe(error: FlyError, { action, apiUrl, region }: FlyErrorContext): Mapped {
  const attempts = attemptsNote(error);
  const reason = flyFailureText(error);
  switch (error.category) {
    case 'auth':
      return { code: 'AUTH_FAILED', message: `${action} failed: Fly.io refused the API token (${reason}). Set a valid token.`, remedy: SET_TOKEN };
    case 'not_found':
      return { code: 'INSTANCE_NOT_FOUND', message: `${action} failed: not found on Fly.io (${reason}). It was probably removed outside Remote Swarm.` };
    case 'conflict':
      return { code: 'CONFLICT', message: `${action} failed: the machine changed or is busy (${reason}). Refresh and try again.`, remedy: { kind: 'refresh' } };
    case 'validation':
      if (error.code === 'name_taken') return { code: 'CONFLICT', message: `${action} failed: the Fly.io app name is taken (${reason}).` };
      return { code: 'INVALID_CONFIG', message: `${action} failed: Fly.io refused the request (${reason}).` };
    case 'rate_limited':
      return { code: 'RATE_LIMITED', message: `${action} failed: Fly.io is rate limiting requests${attempts}. Wait a minute and retry.` };
    case 'timeout':
      return { code: 'OPERATION_FAILED', message: `${action} failed: ${reason}.`, retryable: true };
    case 'unavailable':
      if (error.code === 'insufficient_capacity') {
        const where = region ? ` in region ${region}` : '';
        return {
          code: 'RESOURCE_LIMIT_EXCEEDED',
          message: `${action} failed: Fly.io has no capacity for this machine size${where}${attempts}. Try another region or a smaller size.`,
          retryable: true,
          remedy: { kind: 'setting', setting: 'fly.region' },
        };
      }
      return { code: 'PROVIDER_UNAVAILABLE', message: `${action} failed: Fly.io is unavailable (${reason}). Try again later.` };
    case 'network':
      return { code: 'PROVIDER_UNAVAILABLE', message: `${action} failed: cannot reach Fly.io at ${apiUrl} (${reason}). Check the network and the Fly.io API address.`, remedy: { kind: 'setting', setting: 'fly.apiUrl' } };
    case 'machine_failed':
      return { code: 'OPERATION_FAILED', message: `${action} failed: ${reason}` };
    case 'cancelled':
      return { code: 'OPERATION_CANCELLED', message: `${action} was cancelled.` };
    case 'unexpected':
      return { code: 'OPERATION_FAILED', message: `${action} failed: ${reason}` };
  }
}

/** Maps what the Fly client throws to a SwarmError a user can act on; SwarmErrors pass through. */
export function toSwarmError(error: unknown, context: FlyErrorContext): SwarmError {
  if (error instanceof SwarmError) return error;
  if (!(error instanceof FlyError)) return new SwarmError('OPERATION_FAILED', `${context.action} failed: ${errorMessage(error)}`, { cause: error });
  const { code, message, retryable, remedy } = describe(error, context);
  const details = { flyCategory: error.category, flyCode: error.code };
  return new SwarmError(code, message, { cause: error, details, remedy, ...(retryable === undefined ? {} : { retryable }) });
}
