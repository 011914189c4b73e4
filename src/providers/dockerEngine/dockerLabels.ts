import { parseRecordedConfig, type InstanceConfig } from '../../core/models';

/** Labels on every container, service and volume the docker and swarm providers make; reconcile adopts instances from them alone. */
export const LABEL = {
  instance: 'remote-swarm.instance',
  name: 'remote-swarm.name',
  template: 'remote-swarm.template',
  group: 'remote-swarm.group',
  /** The InstanceConfig as JSON (it holds no secrets: passwords reach the container as env, a file or a Docker secret). */
  config: 'remote-swarm.config',
  volume: 'remote-swarm.volume',
  /** On a short-lived helper container: the instance whose workspace it reads (never an instance itself). */
  helperOf: 'remote-swarm.helper-of',
  /** On a helper: the process that made it, `host:pid`, so that one left by a process that died can be told and removed. */
  helperProcess: 'remote-swarm.helper-process',
} as const;

export function volumeLabels(id: string, config: InstanceConfig, extra: Record<string, string>): Record<string, string> {
  return { ...extra, [LABEL.instance]: id, [LABEL.name]: config.name };
}

export function containerLabels(id: string, config: InstanceConfig, volume: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...volumeLabels(id, config, extra),
    [LABEL.template]: config.template ?? '',
    ...(config.group === undefined ? {} : { [LABEL.group]: config.group }),
    [LABEL.config]: JSON.stringify(config),
    [LABEL.volume]: volume,
  };
}

/** The config recorded at creation, or undefined when the label is missing or no longer valid. */
export function decodeConfig(labels: Record<string, string>): InstanceConfig | undefined {
  return parseRecordedConfig(labels[LABEL.config]);
}

/** Docker label filters: `key` or `key=value`. */
export function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`);
}
