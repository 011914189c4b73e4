// Child process of health-sweep.ts: the instances' /healthz endpoints as real HTTP servers on 127.0.0.1, kept out of
// the benchmark's process so their memory and CPU do not count as the monitor's.
// Reads the mix from argv as JSON ({"answering": n, "slow": n, "hanging": n, "dead": n, "slowMs": ms}), sends the URLs
// back over IPC, switches every server to answering at once on "answer-all", and exits when the parent goes away.
import { HealthzServer, type HealthzBehaviour, type HealthzMix as Mix } from '../support/healthzServer';


async function main(): Promise<void> {
  const mix = JSON.parse(process.argv[2] ?? '{}') as Mix;
  const start = (count: number, behaviour: HealthzBehaviour) => Promise.all(Array.from({ length: count }, () => HealthzServer.start(behaviour)));
  const answering = await start(mix.answering, { answer: 'json', lastHeartbeat: Date.now() });
  const slow = await start(mix.slow, { answer: 'json', delayMs: mix.slowMs });
  const hanging = await start(mix.hanging, { answer: 'never' });
  const dead = await start(mix.dead, { answer: 'json' });
  await Promise.all(dead.map((server) => server.close()));
  const live = [...answering, ...slow, ...hanging];

  process.on('message', (message) => {
    if (message !== 'answer-all') return;
    for (const server of live) server.behaviour = { answer: 'json' };
    process.send!('answering');
  });
  process.on('disconnect', () => {
    void Promise.all(live.map((server) => server.close())).finally(() => process.exit(0));
  });
  process.send!({
    answering: answering.map((server) => server.url),
    slow: slow.map((server) => server.url),
    hanging: hanging.map((server) => server.url),
    dead: dead.map((server) => server.url),
  });
}

void main();
