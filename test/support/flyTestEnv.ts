import { generateInstanceId } from '../../src/core/passwords';
import { instanceConfigSchema, type InstanceConfig, type InstanceConfigInput } from '../../src/core/models';
import { FlyClient } from '../../src/providers/fly/flyClient';
import { flyInstanceSpec, machineConfigFor } from '../../src/providers/fly/flyMachineConfig';
import { FlyProvider, type FlyProviderOptions } from '../../src/providers/fly/flyProvider';
import { FLY_RATE_LIMITS, type RateLimitTable } from '../../src/providers/fly/flyRateLimiter';
import { startFlyEmulator, type FlyEmulator, type FlyEmulatorOptions } from './flyEmulator';
import { RUN_ID } from './testRun';

/** Apps the tests make start with this, so a sweep finds them on any endpoint. */
const TEST_APP_PREFIX = 'rs-test-';

/** The app a test provider makes for an instance. */
export function testAppName(instanceId: string): string {
  return `${TEST_APP_PREFIX}${instanceId}`;
}

/** Where the Fly tests send their requests: an emulator they started, or the endpoint the environment names. */
export interface FlyTestEndpoint {
  apiUrl: string;
  graphqlUrl: string;
  token: string;
  org: string;
  region: string;
  /** Image for test instances. */
  image: string;
  /** The emulator, when the tests started one. */
  emulator?: FlyEmulator;
  /** The limits clients pace themselves by: Fly's, sped up as much as the emulator's are. */
  rateLimits: RateLimitTable;
  /** Removes every test app left on the endpoint, and stops the emulator. */
  close(): Promise<void>;
}

/** Fly's limits with every rate multiplied by `scale` (bursts stay as they are). */
export function scaledRateLimits(scale: number): RateLimitTable {
  const scaled = Object.entries(FLY_RATE_LIMITS).map(([action, { perSecond, burst }]) => [action, { perSecond: perSecond * scale, burst }]);
  return Object.fromEntries(scaled) as RateLimitTable;
}

/** Lifecycle tests run the emulator's rate limits this much faster, and pace their clients to match. */
const EMULATOR_RATE_LIMIT_SCALE = 10;

/** An endpoint served by an emulator this process started: it counts what it receives and injects faults. */
export type EmulatorEndpoint = FlyTestEndpoint & { emulator: FlyEmulator };

/**
 * REMOTE_SWARM_FLY_API_URL, REMOTE_SWARM_FLY_GRAPHQL_URL and REMOTE_SWARM_FLY_API_TOKEN (with REMOTE_SWARM_FLY_ORG,
 * REMOTE_SWARM_FLY_REGION and REMOTE_SWARM_FLY_IMAGE) point the lifecycle suites at another Machines API endpoint;
 * without them they run against an emulator.
 */
export async function flyTestEndpoint(): Promise<FlyTestEndpoint> {
  const env = process.env;
  const apiUrl = env.REMOTE_SWARM_FLY_API_URL;
  if (!apiUrl) return emulatorEndpoint();
  const token = env.REMOTE_SWARM_FLY_API_TOKEN;
  if (!token) throw new Error('REMOTE_SWARM_FLY_API_URL is set without REMOTE_SWARM_FLY_API_TOKEN; set both (and REMOTE_SWARM_FLY_GRAPHQL_URL) or neither.');
  const endpoint = {
    apiUrl,
    graphqlUrl: env.REMOTE_SWARM_FLY_GRAPHQL_URL ?? 'https://api.fly.io',
    token,
    org: env.REMOTE_SWARM_FLY_ORG ?? 'personal',
    region: env.REMOTE_SWARM_FLY_REGION ?? 'iad',
    image: env.REMOTE_SWARM_FLY_IMAGE ?? 'codercom/code-server:4.100.3',
    rateLimits: FLY_RATE_LIMITS,
  };
  return { ...endpoint, close: () => sweepTestApps(endpoint) };
}

/** A fresh emulator whatever the environment says: for the suites about faults, rate limits and the emulator itself. */
export async function emulatorEndpoint(options: FlyEmulatorOptions = {}): Promise<EmulatorEndpoint> {
  const rateLimitScale = options.rateLimitScale ?? EMULATOR_RATE_LIMIT_SCALE;
  const emulator = await startFlyEmulator({ ...options, rateLimitScale });
  return {
    apiUrl: emulator.apiUrl,
    graphqlUrl: emulator.graphqlUrl,
    token: emulator.token,
    org: emulator.org,
    region: 'iad',
    image: 'remote-swarm/test-busybox:latest',
    emulator,
    rateLimits: scaledRateLimits(rateLimitScale),
    close: () => emulator.close(),
  };
}

type EndpointAddress = Pick<FlyTestEndpoint, 'apiUrl' | 'graphqlUrl' | 'token' | 'org' | 'rateLimits'>;

export function testFlyClient(endpoint: EndpointAddress): FlyClient {
  return new FlyClient({ apiUrl: endpoint.apiUrl, graphqlUrl: endpoint.graphqlUrl, token: endpoint.token, rateLimits: endpoint.rateLimits });
}

export async function sweepTestApps(endpoint: EndpointAddress): Promise<void> {
  const client = testFlyClient(endpoint);
  const apps = await client.listApps(endpoint.org);
  await Promise.all(apps.filter((app) => app.name.startsWith(TEST_APP_PREFIX)).map((app) => client.deleteApp(app.name)));
}

/** The owner marker of this run's test providers, unless a test plays another installation. */
export const TEST_OWNER = `rs-test-owner-${RUN_ID}`;

/** A provider on the endpoint that makes and sees only test apps; short timeouts so a failing test fails fast. */
export function testFlyProvider(endpoint: FlyTestEndpoint, options: Partial<FlyProviderOptions> = {}): FlyProvider {
  return new FlyProvider({
    apiUrl: endpoint.apiUrl,
    graphqlUrl: endpoint.graphqlUrl,
    org: endpoint.org,
    region: endpoint.region,
    getToken: async () => endpoint.token,
    appPrefix: TEST_APP_PREFIX,
    owner: TEST_OWNER,
    startTimeoutSeconds: 30,
    stopTimeoutSeconds: 5,
    ...options,
    client: { rateLimits: endpoint.rateLimits, ...options.client },
  });
}

/**
 * A test provider on an emulator whose machines run in Docker: https://<app>.fly.dev:<port>/ does not resolve here, so
 * each service is reached on the loopback port the emulator publishes it on.
 */
export function dockerBackedFlyProvider(endpoint: EmulatorEndpoint): FlyProvider {
  return testFlyProvider(endpoint, {
    serviceUrl: async (app, port) => {
      const address = await endpoint.emulator.machineAddress(app, port);
      if (!address) throw new Error(`The emulator serves no port ${port} of ${app}`);
      return address;
    },
  });
}

/** A create request for a small instance (shared-cpu-1x, 256 MB, 1 GB volume). */
export function newFlyInstance(endpoint: Pick<FlyTestEndpoint, 'image'>, overrides: Partial<InstanceConfigInput> = {}): { id: string; config: InstanceConfig } {
  const id = generateInstanceId();
  const config = instanceConfigSchema.parse({
    name: `fly-test-${id.slice(0, 6)}`,
    image: endpoint.image,
    workspacePath: '/workspace',
    resources: { cpuCores: 1, memoryMB: 256, storageGB: 1 },
    ports: [{ container: 8080, purpose: 'ide' }],
    template: 'busybox',
    ...overrides,
  });
  return { id, config };
}

/**
 * Makes `count` instances' apps on the emulator at once, each with its started machine as a provider of `owner` makes
 * it (without its volume: listings do not read it), and no requests or rate limits spent. Returns their ids.
 */
export async function seedFlyInstances(endpoint: EmulatorEndpoint, count: number, owner = TEST_OWNER): Promise<string[]> {
  const instances = Array.from({ length: count }, () => newFlyInstance(endpoint));
  await endpoint.emulator.seed(
    instances.map(({ id, config }) => {
      const { mounts: _volume, ...machine } = machineConfigFor({ id, config, spec: flyInstanceSpec(config), volumeId: '', owner });
      return { name: testAppName(id), machine: { name: config.name, region: endpoint.region, config: machine } };
    }),
  );
  return instances.map(({ id }) => id);
}

/** A fetch that records every request it sends ("METHOD /path"), for counting what an operation costs on any endpoint. */
export function countingFetch(): { fetch: typeof fetch; sent: string[]; reset(): void } {
  const sent: string[] = [];
  return {
    sent,
    reset: () => {
      sent.length = 0;
    },
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      sent.push(`${init?.method ?? 'GET'} ${url.pathname}`);
      return fetch(input, init);
    },
  };
}
