import { errorMessage } from '../errors';
import { deadlineSignal, within } from './deadline';
import type { Instance, InstanceStatus } from '../models';
import type { Provider, ProviderInstance, ResourceUsage } from '../provider';
import type { CheckOutcome } from './healthStatus';
import { formatSeconds, type HttpProbe } from './httpProbe';

/** One check of one instance. */
export interface HealthSample {
  at: number;
  outcome: CheckOutcome;
  /** The instance's status as its provider reported it. */
  providerStatus?: InstanceStatus;
  /** Whether the instance answered at all: it runs, and its health endpoint (if it has one) sent any HTTP answer. */
  reachable: boolean;
  httpStatus?: number;
  responseTimeMs?: number;
  /** From code-server's /healthz: when the IDE was last used (0 = not since code-server started). */
  lastHeartbeat?: number;
  usage?: ResourceUsage;
  /** Why the check failed or could not tell. */
  error?: string;
}

/** What the sweep learnt about an instance's provider: its view of the instance, or why it could not be asked. */
export type ProviderView = { provider: Provider; observed: ProviderInstance | undefined } | { unavailable: string };

export interface CheckOptions {
  probe: HttpProbe;
  timeoutMs: number;
  /** A command that must exit 0 inside the instance; empty for none. */
  execProbe: readonly string[];
  at: number;
}

/**
 * Checks one instance: its provider says it runs, its /healthz answers 2xx, and the exec probe (if any) exits 0.
 * CPU and memory are read alongside where the provider can tell; they never fail a check. Never rejects.
 */
export async function checkInstance(instance: Instance, view: ProviderView, options: CheckOptions): Promise<HealthSample> {
  const { at } = options;
  if ('unavailable' in view) return { at, outcome: 'inconclusive', reachable: false, error: view.unavailable };
  const { provider, observed } = view;
  if (!observed) return { at, outcome: 'fail', reachable: false, error: `${provider.displayName} no longer has this instance` };
  if (observed.status !== 'running') {
    return { at, outcome: 'fail', providerStatus: observed.status, reachable: false, error: `${provider.displayName} reports it ${observed.status}` };
  }
  const ideUrl = observed.urls.ide ?? instance.urls.ide;
  const [http, execError, usage] = await Promise.all([
    ideUrl === undefined ? undefined : options.probe(new URL('healthz', ideUrl).toString(), options.timeoutMs),
    runExecProbe(provider, instance.id, options),
    readUsage(provider, instance.id, options.timeoutMs),
  ]);
  const httpError = http === undefined ? undefined : (http.error ?? (isSuccess(http.statusCode) ? undefined : `/healthz answered HTTP ${http.statusCode}`));
  const error = httpError ?? execError;
  return {
    at,
    outcome: error === undefined ? 'pass' : 'fail',
    providerStatus: observed.status,
    reachable: http === undefined || http.statusCode !== undefined,
    httpStatus: http?.statusCode,
    responseTimeMs: http?.responseTimeMs,
    lastHeartbeat: http?.lastHeartbeat,
    usage,
    error,
  };
}

function isSuccess(statusCode: number | undefined): boolean {
  return statusCode !== undefined && statusCode >= 200 && statusCode < 300;
}

/** The exec probe's failure, or undefined when it passed or there is none to run. */
async function runExecProbe(provider: Provider, id: string, { execProbe, timeoutMs }: CheckOptions): Promise<string | undefined> {
  if (execProbe.length === 0 || !provider.getCapabilities().exec) return undefined;
  const command = execProbe.join(' ');
  const deadline = deadlineSignal(timeoutMs);
  try {
    const result = await provider.executeCommand(id, execProbe, { signal: deadline.signal });
    if (result.exitCode === 0) return undefined;
    const output = (result.stderr || result.stdout).trim().split('\n')[0];
    return `exec probe \`${command}\` exited ${result.exitCode}${output ? `: ${output}` : ''}`;
  } catch (error) {
    const reason = deadline.signal.aborted ? `no result within ${formatSeconds(timeoutMs)}` : errorMessage(error);
    return `exec probe \`${command}\` failed: ${reason}`;
  } finally {
    deadline.clear();
  }
}

/** Resource figures are informational: a failed or late reading leaves a gap in the chart, not a failed check or a longer one. */
async function readUsage(provider: Provider, id: string, timeoutMs: number): Promise<ResourceUsage | undefined> {
  if (!provider.getInstanceStats) return undefined;
  try {
    const reading = await within(provider.getInstanceStats(id), timeoutMs);
    return reading === 'timedOut' ? undefined : reading.value;
  } catch {
    return undefined;
  }
}
