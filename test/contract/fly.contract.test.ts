import Docker from 'dockerode';
import { FLY_CAPABILITIES } from '../../src/providers/fly';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { emulatorEndpoint, newFlyInstance, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';
import { RUN_ID } from '../support/testRun';
import { providerContract } from './providerContract';

/** This run's Fly apps: the provider makes and sees only apps with this prefix. */
const APP_PREFIX = `rs-test-${RUN_ID}-`;

const docker = new Docker();
let endpoint: EmulatorEndpoint | undefined;

/**
 * Fly.io on the Machines API emulator, whose machines are Docker containers running the busybox test image: exec
 * really runs, and a started machine really serves /healthz. The IDE URL the provider claims is Fly's public
 * https://<app>.fly.dev/, which does not resolve here: the emulator says where that app's machine is served on
 * loopback, as Fly's proxy would route it.
 */
providerContract({
  type: 'fly',
  infrastructure: 'the Fly Machines emulator (machines as Docker containers)',
  capabilities: FLY_CAPABILITIES,
  servesIde: true,
  badConfigs: [
    {
      what: 'memory Fly does not offer with one shared CPU',
      field: 'resources.memoryMB',
      code: 'INVALID_CONFIG',
      make: (valid) => ({ ...valid, resources: { ...valid.resources, memoryMB: 300 } }),
    },
  ],
  async setUp() {
    await requireDocker();
    const image = ensureTestImage();
    const started = await emulatorEndpoint({ runtime: 'docker' });
    endpoint = started;
    return {
      makeProvider: () => testFlyProvider(started, { appPrefix: APP_PREFIX }),
      config: (name) => newFlyInstance({ image }, { name }).config,
      reachIde: (instance) => started.emulator.machineAddress(instance.metadata.app ?? ''),
      async leftovers(id, seen) {
        const app = `${APP_PREFIX}${id}`;
        const left = started.emulator.inventory().apps.includes(app) ? [`app ${app}`] : [];
        // The Docker container and volume that were the machine and its volume.
        const { machineId, volume } = seen?.metadata ?? {};
        if (machineId) {
          const containers = await docker.listContainers({ all: true, filters: { name: [`fly-emulator-${machineId}`] } });
          left.push(...containers.map((c) => `machine container ${c.Names[0] ?? c.Id}`));
        }
        if (volume) {
          const { Volumes } = await docker.listVolumes({ filters: { name: [`fly-emulator-${volume}`] } });
          left.push(...(Volumes ?? []).map((v) => `volume ${v.Name}`));
        }
        return left;
      },
      // Stops the emulator, which removes every container and volume it made.
      tearDown: async () => {
        await endpoint?.close();
        endpoint = undefined;
      },
    };
  },
});
