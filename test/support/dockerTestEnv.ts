import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerProvider, type DockerProviderOptions } from '../../src/providers/docker/dockerProvider';
import { instanceConfigSchema, type InstanceConfig } from '../../src/core/models';
import { RUN_LABEL, RUN_ID } from './testRun';

/** On every container, volume and network the tests make, so one sweep removes them all. */
export const TEST_LABEL = 'remote-swarm.test';

const BUILD_SCRIPT = path.join(__dirname, '..', 'setup', 'build-test-image.sh');
const INSTALL_HINT =
  'The Docker integration tests need a running Docker Engine: apt-get install docker.io busybox-static, ' +
  'then start it with `dockerd --iptables=false &` (or systemctl start docker) and make sure this user may use /var/run/docker.sock.';

let testImage: string | undefined;
let sshTestImage: string | undefined;

/** The busybox test image plus OpenSSH's sshd on port 22 (test/setup/build-ssh-test-image.sh), built once per process. */
export function ensureSshTestImage(): string {
  sshTestImage ??= buildImage(path.join(__dirname, '..', 'setup', 'build-ssh-test-image.sh'), 'the sshd test image');
  return sshTestImage;
}

function buildImage(script: string, what: string): string {
  try {
    const tag = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split(/\s+/)[0];
    if (!tag) throw new Error(`${script} printed no image tag`);
    return tag;
  } catch (error) {
    throw new Error(`Building ${what} failed: ${(error as { stderr?: string }).stderr?.trim() || String(error)}\n${INSTALL_HINT}`);
  }
}

/** Builds (or finds cached) the busybox test image once per process and returns its recipe-hashed tag. */
export function ensureTestImage(): string {
  testImage ??= buildImage(BUILD_SCRIPT, 'the test image');
  return testImage;
}

export async function dockerReachable(docker = new Docker()): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

/** Fails (never skips) with an install hint when there is no engine to test against. */
export async function requireDocker(): Promise<void> {
  if (!(await dockerReachable())) throw new Error(`Docker Engine is not reachable. ${INSTALL_HINT}`);
}

/** The labels on this run's test resources: the test label and the run's id (test/support/testRun.ts). */
export const TEST_LABELS: Readonly<Record<string, string>> = { [TEST_LABEL]: '1', [RUN_LABEL]: RUN_ID };

/** A provider whose containers and volumes carry this run's test labels, and which sees only those. */
export function testProvider(options: Omit<DockerProviderOptions, 'extraLabels'> = {}): DockerProvider {
  return new DockerProvider({ stopTimeoutSeconds: 2, ...options, extraLabels: { ...TEST_LABELS } });
}

/** A Docker label filter matching this run's test resources only. */
export const RUN_LABEL_FILTER = `${RUN_LABEL}=${RUN_ID}`;

/** Removes this run's test containers, volumes and networks; another run's, on the same engine, are left alone. */
export async function removeTestResources(docker = new Docker()): Promise<void> {
  const filters = { label: [RUN_LABEL_FILTER] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const { Volumes } = await docker.listVolumes({ filters });
  await Promise.all((Volumes ?? []).map((v) => docker.getVolume(v.Name).remove()));
  // After the containers: a network cannot go while a container is on it.
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove()));
}

/** What a Docker suite works with, filled in by its `before` hook. */
export interface DockerSuite {
  docker: Docker;
  image: string;
  provider: DockerProvider;
  /** Creates a small busybox instance named after the run and `label`, its workspace at /workspace; returns its id and config. */
  newInstance(label: string): Promise<{ id: string; config: InstanceConfig }>;
}

/**
 * The hooks of a suite against the real engine: the engine is checked and the test image built once, one test provider
 * is made, and this run's containers, volumes and networks are swept after each test, also when it fails.
 */
export function useDockerSuite(): DockerSuite {
  const suite = { docker: new Docker() } as DockerSuite;
  before(async () => {
    await requireDocker();
    suite.image = ensureTestImage();
    suite.provider = testProvider();
    await suite.provider.initialize();
  });
  afterEach(async () => {
    await removeTestResources(suite.docker);
  });
  suite.newInstance = async (label) => {
    const id = randomUUID().slice(0, 8);
    const config = instanceConfigSchema.parse({
      name: `rs-test-${RUN_ID}-${label}`,
      image: suite.image,
      workspacePath: '/workspace',
      resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 1 },
      ports: [],
      template: 'busybox',
    });
    await suite.provider.createInstance({ id, config });
    return { id, config };
  };
  return suite;
}
