import Docker from 'dockerode';
import { instanceConfigSchema } from '../../src/core/models';
import { DOCKER_CAPABILITIES } from '../../src/providers/docker/dockerProvider';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { providerContract } from './providerContract';

/** The label the Docker provider puts on an instance's container and volume (src/providers/dockerEngine/dockerLabels.ts). */
const INSTANCE_LABEL = 'remote-swarm.instance';

const docker = new Docker();

/**
 * Docker on the real engine, with the busybox test image: its httpd answers /healthz on 8080, the port the
 * configuration marks as the IDE's, so "the IDE URL answers" is a real HTTP round trip. The providers see only this
 * run's containers (testProvider labels them with the run's id).
 */
providerContract({
  type: 'docker',
  infrastructure: 'the real Docker Engine (busybox test image)',
  capabilities: DOCKER_CAPABILITIES,
  servesIde: true,
  badConfigs: [
    {
      what: 'more CPUs than the engine has',
      field: 'resources.cpuCores',
      code: 'RESOURCE_LIMIT_EXCEEDED',
      make: (valid) => ({ ...valid, resources: { ...valid.resources, cpuCores: 64 } }),
    },
    {
      what: 'an image that is not there and cannot be pulled',
      field: 'image',
      code: 'IMAGE_NOT_FOUND',
      // A registry on a closed loopback port: the pull fails at once, without the network.
      make: (valid) => ({ ...valid, image: '127.0.0.1:1/remote-swarm/contract-missing:1' }),
    },
  ],
  async setUp() {
    await requireDocker();
    const image = ensureTestImage();
    return {
      makeProvider: () => testProvider(),
      config: (name) =>
        instanceConfigSchema.parse({
          name,
          image,
          workspacePath: '/workspace',
          resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 1 },
          ports: [{ container: 8080, purpose: 'ide' }],
          template: 'busybox',
        }),
      async leftovers(id) {
        const filters = { label: [`${INSTANCE_LABEL}=${id}`] };
        const containers = await docker.listContainers({ all: true, filters });
        const { Volumes } = await docker.listVolumes({ filters });
        return [...containers.map((c) => `container ${c.Names[0] ?? c.Id} (${c.State})`), ...(Volumes ?? []).map((v) => `volume ${v.Name}`)];
      },
      tearDown: () => removeTestResources(docker),
    };
  },
});
