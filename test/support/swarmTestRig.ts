import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { SwarmProvider, type SwarmProviderOptions } from '../../src/providers/swarm/swarmProvider';
import { ensureTestImage, requireDocker, TEST_LABELS } from './dockerTestEnv';
import { RUN_ID } from './testRun';

const run = promisify(execFile);
const RIG_SCRIPT = path.join(__dirname, '..', 'setup', 'swarm-rig.sh');
/** Network namespaces and daemons need root: the rig script runs as root, through sudo for another user. */
const AS_ROOT = path.join(__dirname, '..', 'setup', 'as-root.sh');
const START_DEADLINE_MS = 120_000;
const STOP_DEADLINE_MS = 60_000;
/** A daemon stops its containers first, each within its stop timeout (10 s by default); it starts in seconds. */
const RESTART_DEADLINE_MS = 60_000;
const INSTALL_HINT = 'The swarm tests start a three-node Docker Swarm in network namespaces: they need root (or sudo), iproute2, util-linux and docker.io (npm run setup installs them).';

export interface RigNode {
  /** Its hostname in the swarm: node1 (the manager), node2, … */
  name: string;
  /** Its address on the rig's bridge, reachable from this machine. */
  address: string;
  /** Its engine: unix://…/docker.sock. */
  engine: string;
  docker: Docker;
}

/** A real multi-node swarm (test/setup/swarm-rig.sh): one dockerd per network namespace, images copied into each. */
export interface SwarmRig {
  nodes: RigNode[];
  manager: RigNode;
  /** An attachable overlay network of the run's: gives host-mode published ports a network on nodes without a bridge. */
  network: string;
  /** Hostname → engine, as the provider's nodeEngines setting takes it. */
  nodeEngines: Record<string, string>;
  image: string;
  /** A provider on the manager, scoped to this run's labels. */
  provider(options?: Omit<SwarmProviderOptions, 'host' | 'extraLabels' | 'nodeEngines'>): SwarmProvider;
  /** What of this run is left on any node: services, secrets, networks, volumes, containers. */
  leftovers(filter?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** What the system daemon and docker0 look like, to check the rig left them as they were. */
function hostFingerprint(): string {
  const docker0 = execFileSync('ip', ['-o', 'addr', 'show', 'dev', 'docker0'], { encoding: 'utf8' }).replace(/\s+valid_lft.*$/gm, '');
  const daemon = execFileSync('docker', ['info', '--format', '{{.ID}} {{.Swarm.LocalNodeState}}'], { encoding: 'utf8' });
  return `${docker0}\n${daemon}`;
}

export async function startSwarmRig(nodes = 3): Promise<SwarmRig> {
  const { rigNodes, image, stop } = await startRig(`/tmp/rsw-${RUN_ID}`, ['up', RUN_ID, String(nodes)]);
  const manager = rigNodes[0]!;
  const network = `rs-test-${RUN_ID}`;
  try {
    await manager.docker.createNetwork({ Name: network, Driver: 'overlay', Attachable: true, Labels: { ...TEST_LABELS } });
  } catch (error) {
    await stop();
    throw error;
  }
  const nodeEngines = Object.fromEntries(rigNodes.map((node) => [node.name, node.engine]));
  return {
    nodes: rigNodes,
    manager,
    network,
    nodeEngines,
    image,
    provider: (options = {}) => new SwarmProvider({ stopGraceSeconds: 2, startTimeoutMs: 60_000, network, ...options, host: manager.engine, nodeEngines, extraLabels: { ...TEST_LABELS } }),
    leftovers: (filter = `remote-swarm.test.run=${RUN_ID}`) => leftovers(manager, rigNodes, filter, network),
    stop,
  };
}

/** One plain Docker Engine of the rig's (`swarm-rig.sh engine`): no swarm, a default bridge inside its own namespace. */
export interface PrivateEngine {
  /** unix://…/docker.sock */
  engine: string;
  docker: Docker;
  image: string;
  /**
   * Stops its dockerd (its containers stop with it), blocking this process until it has: called inside an operation
   * (from its progress report), the operation's next call meets a stopped engine, as when dockerd restarts under it.
   */
  halt(): void;
  /** Starts its dockerd again; resolves once it answers. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateEngine(): Promise<PrivateEngine> {
  const state = `/tmp/rse-${RUN_ID}`;
  // Its own names for namespaces and cgroups, apart from a swarm rig of the same run.
  const { rigNodes, image, stop } = await startRig(state, ['engine', `${RUN_ID}e`]);
  const [node] = rigNodes as [RigNode];
  return {
    engine: node.engine,
    docker: node.docker,
    image,
    halt: () => void execFileSync('bash', [AS_ROOT, 'bash', RIG_SCRIPT, 'stop', state, '1'], { timeout: RESTART_DEADLINE_MS, stdio: ['ignore', 'ignore', 'pipe'] }),
    resume: async () => void (await run('bash', [AS_ROOT, 'bash', RIG_SCRIPT, 'start', state, '1'], { timeout: RESTART_DEADLINE_MS })),
    stop,
  };
}

/** Starts the rig's daemons (`swarm-rig.sh <command> <state> <run> …`) with the test image in each; stops them again if that fails. */
async function startRig(state: string, [command, ...args]: string[]): Promise<{ rigNodes: RigNode[]; image: string; stop: () => Promise<void> }> {
  await requireDocker();
  const image = ensureTestImage();
  const before = hostFingerprint();
  const stop = async () => {
    await run('bash', [AS_ROOT, 'bash', RIG_SCRIPT, 'down', state], { timeout: STOP_DEADLINE_MS });
    const after = hostFingerprint();
    if (after !== before) throw new Error(`The swarm rig changed docker0 or the system daemon:\nbefore ${before}\nafter ${after}`);
  };
  let output: string;
  try {
    ({ stdout: output } = await run('bash', [AS_ROOT, 'bash', RIG_SCRIPT, command!, state, ...args, image], { timeout: START_DEADLINE_MS }));
  } catch (error) {
    await stop().catch(() => undefined);
    throw new Error(`Starting the swarm rig failed: ${(error as { stderr?: string }).stderr?.trim() || String(error)}\n${INSTALL_HINT}`);
  }
  const rigNodes = output
    .trim()
    .split('\n')
    .map((line) => {
      const [name, address, engine] = line.split(' ') as [string, string, string];
      return { name, address, engine, docker: new Docker({ socketPath: engine.slice('unix://'.length) }) };
    });
  return { rigNodes, image, stop };
}

async function leftovers(manager: RigNode, nodes: readonly RigNode[], label: string, ownNetwork: string): Promise<string[]> {
  const filters = { label: [label] };
  const found: string[] = [];
  for (const service of await manager.docker.listServices({ filters })) found.push(`service ${service.Spec?.Name}`);
  for (const secret of (await manager.docker.listSecrets({ filters })) as { Spec: { Name: string } }[]) found.push(`secret ${secret.Spec.Name}`);
  for (const network of await manager.docker.listNetworks({ filters })) if (network.Name !== ownNetwork) found.push(`network ${network.Name}`);
  for (const node of nodes) {
    for (const container of await node.docker.listContainers({ all: true, filters })) found.push(`container ${container.Names[0]} on ${node.name}`);
    for (const volume of (await node.docker.listVolumes({ filters })).Volumes ?? []) found.push(`volume ${volume.Name} on ${node.name}`);
  }
  return found;
}

/** Starts a private engine before the suite and stops it after, also when the suite fails. */
export function usePrivateEngine(): { engine: PrivateEngine } {
  const holder = {} as { engine: PrivateEngine };
  before(async function () {
    this.timeout(START_DEADLINE_MS + 30_000);
    holder.engine = await startPrivateEngine();
  });
  after(async function () {
    this.timeout(STOP_DEADLINE_MS + 10_000);
    await holder.engine?.stop();
  });
  return holder;
}

/** Starts the rig before the suite and stops it after, also when the suite fails; the rig's own deadlines bound both. */
export function useSwarmRig(nodes = 3): { rig: SwarmRig } {
  const holder = {} as { rig: SwarmRig };
  before(async function () {
    this.timeout(START_DEADLINE_MS + 30_000);
    holder.rig = await startSwarmRig(nodes);
  });
  after(async function () {
    this.timeout(STOP_DEADLINE_MS + 10_000);
    await holder.rig?.stop();
  });
  return holder;
}
