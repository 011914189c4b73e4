import Docker from 'dockerode';
import { TEST_INSTANCE_PREFIX } from '../../vscode/testInstanceNames';

/** The labels Remote Swarm's Docker provider puts on every container and volume it makes (src/providers/dockerEngine/dockerLabels.ts). */
const INSTANCE_LABEL = 'remote-swarm.instance';
const NAME_LABEL = 'remote-swarm.name';
/** On every network it makes (src/providers/docker/dockerNetworks.ts); a group's is "group-<group name>". */
const NETWORK_LABEL = 'remote-swarm.network';

const isTestInstance = (labels: Record<string, string> | null | undefined) => labels?.[NAME_LABEL]?.startsWith(TEST_INSTANCE_PREFIX) === true;

/** Names of Remote Swarm containers on the engine that no test made: a user's own instances. */
export async function foreignInstanceNames(docker = new Docker()): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [INSTANCE_LABEL] } });
  return containers.filter((container) => !isTestInstance(container.Labels)).map((container) => container.Labels[NAME_LABEL] ?? container.Id);
}

/** Fails, saying what to do, while the engine holds instances no test made: the view would list them beside the test's. */
export async function requireNoForeignInstances(docker = new Docker()): Promise<void> {
  const foreign = await foreignInstanceNames(docker);
  if (foreign.length === 0) return;
  throw new Error(
    `The Docker engine holds Remote Swarm instances this test run did not make (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}), ` +
      'and the view would list them: see `docker ps -a --filter label=remote-swarm.instance`. Remove leftovers of interrupted ' +
      'test runs (named rstest-…) with `docker rm -f` and `docker volume rm`, or point DOCKER_HOST at another engine.',
  );
}

export async function testContainers(docker = new Docker()): Promise<Docker.ContainerInfo[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [INSTANCE_LABEL] } });
  return containers.filter((container) => isTestInstance(container.Labels));
}

/** Networks of groups the tests named: their groups' names, and so their members', start with the test prefix. */
export async function testGroupNetworks(docker = new Docker()): Promise<Docker.NetworkInspectInfo[]> {
  const networks = await docker.listNetworks({ filters: { label: [NETWORK_LABEL] } });
  return networks.filter((network) => network.Labels?.[NETWORK_LABEL]?.startsWith(`group-${TEST_INSTANCE_PREFIX}`) === true);
}

/** Removes every container, volume and group network of an instance the tests named (whatever the workbench's own Delete left). */
export async function removeTestInstances(docker = new Docker()): Promise<void> {
  await Promise.all((await testContainers(docker)).map((container) => docker.getContainer(container.Id).remove({ force: true })));
  const { Volumes } = await docker.listVolumes({ filters: { label: [INSTANCE_LABEL] } });
  await Promise.all((Volumes ?? []).filter((volume) => isTestInstance(volume.Labels)).map((volume) => docker.getVolume(volume.Name).remove()));
  // After the containers: a network cannot go while a container is on it.
  await Promise.all((await testGroupNetworks(docker)).map((network) => docker.getNetwork(network.Id).remove()));
}
