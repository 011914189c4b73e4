import { randomBytes } from 'node:crypto';
import { TEST_LABELS } from '../dockerTestEnv';
import { DockerMachineRuntime } from './dockerMachineRuntime';
import { EmulatorServer, type RecordedRequest } from './emulatorServer';
import { FaultInjector } from './faults';
import { FlyWorld, type Inventory } from './flyWorld';
import type { MachineConfig } from './machineFleet';
import { SimulatedRuntime, type MachineRuntime } from './machineRuntime';
import { RateLimits } from './rateLimits';

export interface FlyEmulatorOptions {
  /** The one API token it accepts; default a random one. */
  token?: string;
  /** Organization slugs; the first is `org`. */
  orgs?: string[];
  /** "simulated": machines only change state; "docker": each machine is a local container that really runs. */
  runtime?: 'simulated' | 'docker';
  /** How long each transition of a simulated machine takes. */
  transitionDelayMs?: number;
  /** Multiplies Fly's rate limits (tests speed them up); 0 turns rate limiting off. Default 1. */
  rateLimitScale?: number;
}

/** An app made without requests, with one machine started in it. */
export interface SeededApp {
  name: string;
  machine: { name: string; region: string; config: MachineConfig };
}

/** A local Machines API + GraphQL endpoint behaving like Fly's (../shared/fly), for tests. */
export interface FlyEmulator {
  /** For fly-admin's `apiUrl` and `graphqlUrl`. */
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  readonly token: string;
  readonly org: string;
  readonly faults: FaultInjector;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** What exists now: apps, live machines, live volumes, IP addresses. */
  inventory(): Inventory;
  /** The secrets an app holds, by name (what `fly secrets list` would name, with their values). */
  appSecrets(app: string): Record<string, string>;
  /** Makes an app name taken, as if another Fly user had it. */
  reserveAppName(name: string): void;
  /** The loopback address where a started machine of the app serves its first service, or the one for `internalPort` (docker runtime only). */
  machineAddress(app: string, internalPort?: number): Promise<string | undefined>;
  /** The next machine launch (create, start, update, restart) fails with this reason, its machine in state `failed`. */
  failNextLaunch(reason: string): void;
  /** Makes apps with a machine each at once, as if made earlier: no requests, no rate limits (for benchmarks of big fleets). */
  seed(apps: readonly SeededApp[]): Promise<void>;
  /** Simulated runtime: makes every following transition take this long. */
  setTransitionDelay(ms: number): void;
  /** Stops the server and removes every container and volume it made. */
  close(): Promise<void>;
}

export async function startFlyEmulator(options: FlyEmulatorOptions = {}): Promise<FlyEmulator> {
  const token = options.token ?? `fly-emulator-${randomBytes(8).toString('hex')}`;
  const orgs = options.orgs ?? ['personal'];
  const simulated = new SimulatedRuntime(options.transitionDelayMs ?? 10);
  const runtime: MachineRuntime = options.runtime === 'docker' ? new DockerMachineRuntime({ ...TEST_LABELS }) : simulated;
  const world = new FlyWorld(orgs, runtime);
  const faults = new FaultInjector();
  const server = new EmulatorServer(world, token, faults, new RateLimits(options.rateLimitScale ?? 1));
  const url = await server.listen();
  return {
    apiUrl: url,
    graphqlUrl: url,
    token,
    org: orgs[0]!,
    faults,
    requests: server.requests,
    inventory: () => world.inventory(),
    appSecrets: (app) => Object.fromEntries(world.requireApp(app).secrets),
    reserveAppName: (name) => world.reserveAppName(name),
    machineAddress: (app, internalPort) => world.machines.address(app, internalPort),
    failNextLaunch: (reason) => world.machines.failNextLaunch(reason),
    async seed(apps) {
      for (const { name, machine } of apps) {
        world.createApp({ app_name: name, org_slug: orgs[0] });
        const created = await world.machines.create(name, machine);
        // Seeded fleets are at rest, as a listing after them expects: each machine has started.
        await world.machines.wait(name, created.id, new URLSearchParams({ state: 'started', timeout: '60' }));
      }
    },
    setTransitionDelay: (ms) => {
      simulated.transitionDelayMs = ms;
    },
    async close() {
      await server.close();
      await world.machines.close();
      await runtime.close();
    },
  };
}
