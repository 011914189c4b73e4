/**
 * Settings only the user sets, never a workspace (a folder someone else may have written): where secrets go (the
 * Docker engine and its certificates, the Fly.io endpoints and organization, the backup storage and its bucket), what runs (the default image of the
 * built-in templates, the exec probe run inside every instance, SSH hosts included), and what spends money or stops
 * instances (the instance limit, group templates and their sizes, prices, budgets, idle stops, the health sweeps idle
 * stops ride on). Keys under the remoteSwarm namespace. package.json gives each a scope no workspace can set; every
 * SettingsSource reads them from the user's settings only, whatever a workspace holds.
 */
export const USER_ONLY_SETTINGS: readonly string[] = [
  'docker.host',
  'docker.tlsVerify',
  'docker.certPath',
  'docker.defaultImage',
  'swarm.host',
  'swarm.tlsVerify',
  'swarm.certPath',
  'swarm.nodeEngines',
  'swarm.publishMode',
  'swarm.volumeDriver',
  'swarm.network',
  'swarm.traefik',
  'fly.org',
  'fly.apiUrl',
  'fly.graphqlUrl',
  'backup.endpoint',
  'backup.bucket',
  'backup.region',
  'backup.pathStyle',
  'backup.partSizeMiB',
  'health.execProbe',
  'health.interval',
  'maxInstances',
  'groupTemplates',
  'idle.timeoutMinutes',
  'idle.timeoutMinutesByTemplate',
  'idle.cpuThresholdPercent',
  'cost.pricePerHour',
  'cost.monthlyBudget',
  'cost.templateBudgets',
  'cost.stopWhenOverBudget',
];

/** Whether `key` is a user-only setting or lies inside one (e.g. "cost.pricePerHour.docker"). */
export function isUserOnlySetting(key: string): boolean {
  return USER_ONLY_SETTINGS.some((setting) => key === setting || key.startsWith(`${setting}.`));
}

/** The user-only settings inside a group key, e.g. "docker" → docker.host, docker.tlsVerify, …; none for a plain key. */
export function userOnlySettingsWithin(group: string): string[] {
  return USER_ONLY_SETTINGS.filter((setting) => setting.startsWith(`${group}.`));
}
