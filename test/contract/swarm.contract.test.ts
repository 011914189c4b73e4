import { instanceConfigSchema } from '../../src/core/models';
import { SWARM_CAPABILITIES } from '../../src/providers/swarm/swarmProvider';
import { startSwarmRig, type SwarmRig } from '../support/swarmTestRig';
import { providerContract } from './providerContract';

/**
 * Swarm on a real three-node swarm (test/setup/swarm-rig.sh) with the busybox test image: its httpd answers /healthz
 * on 8080, published in host mode on the node running the task, whose address this machine reaches over the rig's bridge.
 */
let rig: SwarmRig;

providerContract({
  type: 'swarm',
  infrastructure: 'a real three-node Docker Swarm (busybox test image)',
  capabilities: SWARM_CAPABILITIES,
  servesIde: true,
  timeoutMs: 60_000,
  badConfigs: [
    {
      what: 'an image no node has and none can pull',
      field: 'image',
      code: 'IMAGE_NOT_FOUND',
      make: (valid) => ({ ...valid, image: '127.0.0.1:1/remote-swarm/contract-missing:1' }),
    },
    {
      what: 'a placement constraint that is not one',
      field: 'options.constraints.0',
      code: 'INVALID_CONFIG',
      make: (valid) => ({ ...valid, options: { constraints: ['zone is eu'] } }),
    },
  ],
  async setUp() {
    rig = await startSwarmRig(3);
    return {
      makeProvider: () => rig.provider(),
      config: (name) =>
        instanceConfigSchema.parse({
          name,
          image: rig.image,
          workspacePath: '/workspace',
          resources: { cpuCores: 0.25, memoryMB: 128, storageGB: 1 },
          ports: [{ container: 8080, purpose: 'ide' }],
          template: 'busybox',
        }),
      leftovers: (id) => rig.leftovers(`remote-swarm.instance=${id}`),
      tearDown: () => rig.stop(),
    };
  },
});
