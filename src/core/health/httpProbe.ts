import http from 'node:http';
import https from 'node:https';
import { errorMessage } from '../errors';
import { deadlineSignal } from './deadline';

/** What one GET of an instance's health endpoint found. */
export interface HttpProbeResult {
  /** Undefined when no HTTP answer arrived (refused, reset, timed out). */
  statusCode?: number;
  /** Until the whole answer arrived, or until the probe gave up. */
  responseTimeMs: number;
  /** code-server's last use of the IDE (ms since the epoch; 0 = not used since it started), when the answer says. */
  lastHeartbeat?: number;
  /** Why no answer arrived. */
  error?: string;
}

export type HttpProbe = (url: string, timeoutMs: number) => Promise<HttpProbeResult>;

/** More than code-server's /healthz ever sends; a bigger answer is cut off rather than buffered. */
const MAX_BODY_BYTES = 16 * 1024;

/** GETs the URL once, within timeoutMs for the whole answer. Never rejects: a failure is a result with an error. */
export const probeHttp: HttpProbe = (url, timeoutMs) => {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  const { signal, clear } = deadlineSignal(timeoutMs);
  return new Promise<HttpProbeResult>((resolve) => {
    const failed = (error: unknown) => resolve({ responseTimeMs: elapsed(), error: signal.aborted ? `no answer within ${formatSeconds(timeoutMs)}` : describeFailure(error) });
    const client = url.startsWith('https:') ? https : http;
    let request: http.ClientRequest;
    try {
      // A fresh connection each time: a pooled keep-alive socket the server has just dropped would fail a healthy instance.
      request = client.get(url, { signal, agent: false, headers: { accept: 'application/json' } }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        response.on('error', failed);
        response.on('end', () =>
          resolve({ statusCode: response.statusCode, responseTimeMs: elapsed(), lastHeartbeat: heartbeatOf(Buffer.concat(chunks).toString('utf8')) }),
        );
      });
    } catch (error) {
      failed(error);
      return;
    }
    request.on('error', failed);
  }).finally(clear);
};

/** code-server answers /healthz with {"status":"alive"|"expired","lastHeartbeat":<ms>}. */
function heartbeatOf(body: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('lastHeartbeat' in parsed)) return undefined;
    const { lastHeartbeat } = parsed;
    return typeof lastHeartbeat === 'number' && Number.isFinite(lastHeartbeat) && lastHeartbeat >= 0 ? lastHeartbeat : undefined;
  } catch {
    return undefined;
  }
}

const FAILURE_WORDING: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENOTFOUND: 'host not found',
  ETIMEDOUT: 'connection timed out',
};

function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && FAILURE_WORDING[code]) return FAILURE_WORDING[code];
  if (code === 'ERR_INVALID_URL') return 'the URL is not valid';
  return errorMessage(error);
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
