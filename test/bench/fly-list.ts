// Benchmark of listing Fly instances: the requests and the time of one full refresh (listInstances, whose listing the
// health sweep reuses) over --instances instances on the emulator, with Fly's documented rate limits on (1 request/s
// per action and app, bursts of 3), before (the Machines API: the apps, then each app's machines, 1 + N) and after
// (the paged GraphQL query), in the same run. Prints figures and whether the GraphQL listing meets its target: at most
// ceil(N / page size) + 1 requests, under 2 s.
//   npm run bench:fly-list [-- --instances 1000]
import { DEFAULT_PAGE_SIZES } from '../../src/providers/fly/flyPages';
import type { FlyProvider } from '../../src/providers/fly/flyProvider';
import { emulatorEndpoint, seedFlyInstances, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';
import { numberOption } from './benchKit';

const TARGET_MS = 2000;

interface Run {
  requests: number;
  /** Of those, refused for the rate limit (the client paces itself to avoid them). */
  refused: number;
  ms: number;
  instances: number;
}

async function timedListing(endpoint: EmulatorEndpoint, provider: FlyProvider): Promise<Run> {
  const { requests } = endpoint.emulator;
  const before = requests.length;
  const started = performance.now();
  const instances = (await provider.listInstances()).length;
  const ms = performance.now() - started;
  const sent = requests.slice(before);
  return { requests: sent.length, refused: sent.filter((request) => request.status === 429).length, ms, instances };
}

async function main(): Promise<void> {
  const count = numberOption('instances', 1000);
  const endpoint = await emulatorEndpoint({ rateLimitScale: 1 });
  try {
    await seedFlyInstances(endpoint, count);

    // Before: the query refused once, so this provider lists over the Machines API from then on.
    const rest = testFlyProvider(endpoint);
    await rest.initialize();
    endpoint.emulator.faults.reply('apps.machines.list', 200, { data: null, errors: [{ message: 'the GraphQL listing is off for this run' }] });
    await rest.listInstances();
    const before = await timedListing(endpoint, rest);

    const graphql = testFlyProvider(endpoint);
    await graphql.initialize();
    const after = await timedListing(endpoint, graphql);

    const pageSize = DEFAULT_PAGE_SIZES.appsWithMachines;
    const allowed = Math.ceil(count / pageSize) + 1;
    const row = (name: string, run: Run) =>
      `${name.padEnd(34)} ${String(run.requests).padStart(8)} ${String(run.refused).padStart(8)} ${(run.ms / 1000).toFixed(2).padStart(8)} s ${String(run.instances).padStart(10)}`;
    console.log(`One full refresh of ${count} Fly instances on the emulator, Fly's documented rate limits on`);
    console.log(`${'listing'.padEnd(34)} ${'requests'.padStart(8)} ${'429s'.padStart(8)} ${'time'.padStart(10)} ${'instances'.padStart(10)}`);
    console.log(row('before: REST, 1 + N', before));
    console.log(row(`after: GraphQL, ${pageSize} apps a page`, after));
    const met = after.requests <= allowed && after.ms < TARGET_MS && after.instances === count;
    console.log(`target: at most ${allowed} requests (ceil(${count} / ${pageSize}) + 1) and under ${TARGET_MS / 1000} s: ${met ? 'met' : 'NOT met'}`);
  } finally {
    await endpoint.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
