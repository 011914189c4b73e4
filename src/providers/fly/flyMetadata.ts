import { parseRecordedConfig, type InstanceConfig } from '../../core/models';

/** Machine metadata marking a machine as an instance of ours; reconcile adopts machines from it alone. */
export const METADATA = {
  instance: 'remote_swarm_instance',
  name: 'remote_swarm_name',
  template: 'remote_swarm_template',
  group: 'remote_swarm_group',
  /** The InstanceConfig as JSON (no secrets: the password and the secretEnv values are app secrets). */
  config: 'remote_swarm_config',
  /** The installation that made it (installationId.ts): others in the organization leave it alone. */
  owner: 'remote_swarm_owner',
} as const;

/** Fly documents no size limit for metadata values; a config larger than this is left out rather than risk a refused machine. */
export const MAX_CONFIG_METADATA_LENGTH = 4096;

export function machineMetadata(id: string, config: InstanceConfig, owner: string): Record<string, string> {
  const json = JSON.stringify(config);
  return {
    [METADATA.instance]: id,
    [METADATA.owner]: owner,
    [METADATA.name]: config.name,
    [METADATA.template]: config.template ?? '',
    ...(config.group === undefined ? {} : { [METADATA.group]: config.group }),
    ...(json.length <= MAX_CONFIG_METADATA_LENGTH ? { [METADATA.config]: json } : {}),
  };
}

export function ownerOf(metadata: Record<string, string> | undefined): string | undefined {
  return metadata?.[METADATA.owner];
}

export function instanceIdOf(metadata: Record<string, string> | undefined): string | undefined {
  return metadata?.[METADATA.instance];
}

/** The config recorded at creation, or undefined when it is missing (too large) or no longer valid. */
export function decodeConfig(metadata: Record<string, string> | undefined): InstanceConfig | undefined {
  return parseRecordedConfig(metadata?.[METADATA.config]);
}
