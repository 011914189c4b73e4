import type Docker from 'dockerode';
import { memberNetwork } from '../../core/groups/groupMembers';
import type { InstanceConfig } from '../../core/models';
import { containerLabels, volumeLabels } from '../dockerEngine/dockerLabels';
import { swarmServiceName } from './swarmDescription';
import { swarmNetworkName } from './swarmNetworks';
import { swarmOptionsOf } from './swarmOptions';
import { traefikLabels, type TraefikSettings } from './swarmTraefik';

/** The label recording the node a pinned instance's workspace volume lives on (its node id). */
export const NODE_LABEL = 'remote-swarm.node';

/** Where code-server reads its configuration, the password among it: the instance's Docker secret, mounted as a file. */
export const CODE_SERVER_CONFIG_PATH = '/run/secrets/remote-swarm-code-server.yaml';

/** How published ports reach the outside: on the node running the task (host), or on every node through the routing mesh (ingress). */
export type PublishMode = 'host' | 'ingress';

/** The provider's settings that shape every service. */
export interface ServiceSettings {
  publishMode: PublishMode;
  /** The workspace volume's driver; "local" keeps it on the node the task runs on. */
  volumeDriver: string;
  /** An overlay network every instance joins besides its group's (Traefik's, or one that gives host-mode ports a network). */
  network?: string;
  traefik?: TraefikSettings;
  extraLabels: Record<string, string>;
  stopGraceSeconds: number;
}

export interface ServiceSpecInput {
  id: string;
  config: InstanceConfig;
  volume: string;
  /** The Docker secret holding code-server's configuration; none when the instance has no password. */
  passwordSecret?: { id: string; name: string };
  /** The values of config.secretEnv: environment, as on Docker (only the password is a secret file). */
  secretEnv?: Record<string, string>;
  /** The node the service is pinned to (its workspace volume's), once known. */
  pinnedNode?: string;
  running: boolean;
  /** Bumped to make Swarm replace the task (restart). */
  forceUpdate?: number;
  settings: ServiceSettings;
}

export function workspaceVolumeName(id: string, config: InstanceConfig): string {
  return `remote-swarm-${config.name}-${id}`;
}

/**
 * The service of an instance: one replica, the configuration's resources as limits and the options' as reservations,
 * its placement, its workspace volume, its password as a secret file, and labels that rebuild it.
 */
export function serviceSpec(input: ServiceSpecInput): Docker.CreateServiceOptions {
  const { id, config, volume, passwordSecret, secretEnv = {}, pinnedNode, running, settings } = input;
  const options = swarmOptionsOf(config.options);
  const [uid, gid] = options.passwordFileOwner.split(':') as [string, string];
  const secrets = config.secretEnv.filter((name) => Object.hasOwn(secretEnv, name)).map((name) => [name, secretEnv[name]!] as const);
  const env = [...Object.entries(config.env), ...secrets].map(([key, value]) => `${key}=${value}`);
  if (passwordSecret) env.push(`CODE_SERVER_CONFIG=${CODE_SERVER_CONFIG_PATH}`);
  const ide = config.ports.find((port) => port.purpose === 'ide');
  const traefik = settings.traefik && ide ? traefikLabels(config.name, ide.container, settings.traefik) : {};
  const ingress = settings.publishMode === 'ingress' && config.ports.length > 0;
  return {
    Name: swarmServiceName(config.name),
    Labels: { ...containerLabels(id, config, volume, settings.extraLabels), ...(pinnedNode ? { [NODE_LABEL]: pinnedNode } : {}), ...traefik },
    TaskTemplate: {
      ContainerSpec: {
        Image: config.image,
        ...(config.command ? { Args: config.command } : {}),
        Env: env,
        Dir: config.workspacePath,
        Hostname: config.name,
        Labels: volumeLabels(id, config, settings.extraLabels),
        StopGracePeriod: settings.stopGraceSeconds * 1e9,
        Mounts: [
          {
            Type: 'volume',
            Source: volume,
            Target: config.workspacePath,
            VolumeOptions: { NoCopy: false, Labels: volumeLabels(id, config, settings.extraLabels), DriverConfig: { Name: settings.volumeDriver, Options: {} } },
          },
        ],
        ...(passwordSecret
          ? { Secrets: [{ SecretID: passwordSecret.id, SecretName: passwordSecret.name, File: { Name: CODE_SERVER_CONFIG_PATH, UID: uid, GID: gid, Mode: 0o400 } }] }
          : {}),
      },
      Resources: {
        Limits: { NanoCPUs: Math.round(config.resources.cpuCores * 1e9), MemoryBytes: config.resources.memoryMB * 1024 * 1024 },
        Reservations: {
          ...(options.reserveCpuCores === undefined ? {} : { NanoCPUs: Math.round(options.reserveCpuCores * 1e9) }),
          ...(options.reserveMemoryMB === undefined ? {} : { MemoryBytes: Math.round(options.reserveMemoryMB * 1024 * 1024) }),
        },
      },
      RestartPolicy: { Condition: options.restartPolicy, Delay: 1e9 },
      Placement: {
        Constraints: [...options.constraints, ...(pinnedNode ? [`node.id==${pinnedNode}`] : [])],
        Preferences: options.spreadOver.map((label) => ({ Spread: { SpreadDescriptor: `node.labels.${label}` } })),
      },
      Networks: serviceNetworks(config, settings),
      ForceUpdate: input.forceUpdate ?? 0,
    },
    Mode: { Replicated: { Replicas: running ? 1 : 0 } },
    // No virtual IP where it is not needed: members are found by DNS round robin (the VIP needs IPVS, which not every node has).
    EndpointSpec: {
      Mode: ingress ? 'vip' : 'dnsrr',
      Ports: config.ports.map((port) => ({
        Protocol: port.protocol,
        TargetPort: port.container,
        ...(port.host === undefined ? {} : { PublishedPort: port.host }),
        PublishMode: settings.publishMode,
      })),
    },
  };
}

/** Whether the service must stay on the node its first task ran on: a node-local workspace volume does not follow it. */
export function pinsToNode(config: InstanceConfig, settings: Pick<ServiceSettings, 'volumeDriver'>): boolean {
  return swarmOptionsOf(config.options).pinToNode ?? settings.volumeDriver === 'local';
}

/** Its group's network under its aliases, Traefik's network, and the provider's own. */
function serviceNetworks(config: InstanceConfig, settings: ServiceSettings): { Target: string; Aliases?: string[] }[] {
  const group = memberNetwork(config);
  const targets = new Map<string, string[] | undefined>();
  if (group) targets.set(swarmNetworkName(group.network), group.aliases);
  for (const shared of [settings.traefik?.network, settings.network]) if (shared && !targets.has(shared)) targets.set(shared, undefined);
  return [...targets].map(([Target, Aliases]) => (Aliases ? { Target, Aliases } : { Target }));
}
