/** What kind of failure a Fly API call met; decides retrying and the SwarmError it becomes. */
export type FlyErrorCategory =
  | 'auth'
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'rate_limited'
  | 'timeout'
  | 'unavailable'
  | 'network'
  | 'cancelled'
  /** A machine that was to start failed to (its launch failed, or it failed after); `code` is its state. */
  | 'machine_failed'
  | 'unexpected';

export interface FlyErrorInit {
  category: FlyErrorCategory;
  /** Fly's `status` from the error body (name_taken, insufficient_capacity), a socket error code (ECONNRESET), else `http_<status>`. */
  code: string;
  message: string;
  httpStatus?: number;
  retryAfterMs?: number;
  /** The request may have taken effect even though it failed (a reset connection, a gateway error). */
  mayHaveSucceeded?: boolean;
  attempts?: number;
  cause?: unknown;
}

const RETRYABLE: ReadonlySet<FlyErrorCategory> = new Set(['rate_limited', 'unavailable', 'network']);

/** A failed Fly API call, classified once where the answer (or the lack of one) is read. */
export class FlyError extends Error {
  readonly category: FlyErrorCategory;
  readonly code: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly mayHaveSucceeded: boolean;
  /** How many times the call was sent before giving up. */
  readonly attempts: number;

  constructor(init: FlyErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'FlyError';
    this.category = init.category;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.retryAfterMs = init.retryAfterMs;
    this.mayHaveSucceeded = init.mayHaveSucceeded ?? false;
    this.attempts = init.attempts ?? 1;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.category);
  }

  afterAttempts(attempts: number): FlyError {
    return new FlyError({ ...this.init(), attempts });
  }

  private init(): FlyErrorInit {
    const { category, code, message, httpStatus, retryAfterMs, mayHaveSucceeded, cause } = this;
    return { category, code, message, httpStatus, retryAfterMs, mayHaveSucceeded, cause };
  }
}

function categoryOfStatus(status: number): FlyErrorCategory {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 400 || status === 422) return 'validation';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'unexpected';
}

/** Fly's error body is `{"error": "...", "status"?: "..."}`; anything else is kept as text. */
function parseErrorBody(body: string): { message?: string; status?: string } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { error, status } = parsed as { error?: unknown; status?: unknown };
    return { message: typeof error === 'string' ? error : undefined, status: typeof status === 'string' ? status : undefined };
  } catch {
    return {};
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** A non-2xx answer from the Machines API or the GraphQL endpoint. */
export function flyErrorFromResponse(status: number, body: string, retryAfterHeader: string | null = null): FlyError {
  const parsed = parseErrorBody(body);
  const category = categoryOfStatus(status);
  return new FlyError({
    category,
    code: parsed.status ?? `http_${status}`,
    message: parsed.message ?? (body.trim() || `HTTP ${status}`),
    httpStatus: status,
    retryAfterMs: parseRetryAfter(retryAfterHeader),
    // 429 and 503 mean the request was turned away; other server errors may come after the work was done.
    mayHaveSucceeded: category === 'unavailable' && status !== 503,
  });
}

export interface GraphqlError {
  message?: string;
  extensions?: { code?: string };
}

const GRAPHQL_CATEGORIES: Record<string, FlyErrorCategory> = {
  UNAUTHORIZED: 'auth',
  UNAUTHENTICATED: 'auth',
  FORBIDDEN: 'auth',
  NOT_FOUND: 'not_found',
  BAD_USER_INPUT: 'validation',
  VALIDATION_ERROR: 'validation',
};

/** GraphQL answers 200 with an `errors` array; the first error decides. */
export function flyErrorFromGraphql(errors: readonly GraphqlError[]): FlyError {
  const first = errors[0] ?? {};
  const code = first.extensions?.code ?? 'graphql_error';
  const message = errors.map((error) => error.message ?? 'unknown GraphQL error').join('; ');
  const category = GRAPHQL_CATEGORIES[code] ?? (/could not find|not found/i.test(message) ? 'not_found' : 'unexpected');
  return new FlyError({ category, code, message });
}

/** Socket errors after which the request surely never reached Fly. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** `mayHaveSucceeded`: the request was on its way when the cancel came, so Fly may have carried it out. */
export function flyCancelled(cause?: unknown, mayHaveSucceeded = false): FlyError {
  return new FlyError({ category: 'cancelled', code: 'cancelled', message: 'the request was cancelled', mayHaveSucceeded, cause });
}

/** A request that got no answer: the caller cancelled it, it timed out, or the network failed (fetch puts the socket error in `cause`). */
export function flyErrorFromNetworkFailure(error: unknown, cancelled: boolean): FlyError {
  if (cancelled) return flyCancelled(error, true);
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const name = (error as { name?: unknown }).name;
  const code = typeof cause?.code === 'string' ? cause.code : name === 'TimeoutError' ? 'ETIMEDOUT' : 'network_error';
  const detail = error instanceof Error ? error.message : String(error);
  return new FlyError({ category: 'network', code, message: `${detail} (${code})`, mayHaveSucceeded: !NEVER_SENT.has(code), cause: error });
}

/** For a list of what an app holds: none when the app is gone. */
export function emptyIfNotFound<T>(error: unknown): T[] {
  if (error instanceof FlyError && error.category === 'not_found') return [];
  throw error;
}

/** Anything else that went wrong during a call (a malformed answer, a bug): not retried. */
export function asFlyError(error: unknown): FlyError {
  if (error instanceof FlyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FlyError({ category: 'unexpected', code: 'unexpected', message, cause: error });
}
