import { invalidConfig } from '../core/errors';
import type { InstanceConfigOverrides } from '../core/models';

/** What create and group create share: where, with what over the template, and consent to publish ports. */
export const PROVIDER_OPTION = ['-p, --provider <provider>', 'where to run it (see: remote-swarm providers); default: the defaultProvider setting'] as const;
export const ALLOW_NETWORK_OPTION = ['--allow-network', 'agree to publish ports beyond this machine: where the template asks to, and on a provider that publishes every port on all addresses (Docker Swarm)'] as const;
export const IMAGE_OPTION = ['--image <image>', 'the image, over the template\'s'] as const;
export const CPUS_OPTION = ['--cpus <cores>', 'CPU cores, over the template\'s'] as const;
export const MEMORY_OPTION = ['--memory <megabytes>', 'memory in MB, over the template\'s'] as const;

export interface SizeOptions {
  image?: string;
  cpus?: string;
  memory?: string;
}

export function numberOption(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw invalidConfig(field, `"${value}" is not a number`);
  return number;
}

export function sizeOverrides(options: SizeOptions): InstanceConfigOverrides {
  const cpuCores = numberOption(options.cpus, 'cpus');
  const memoryMB = numberOption(options.memory, 'memory');
  return {
    ...(options.image === undefined ? {} : { image: options.image }),
    resources: { ...(cpuCores === undefined ? {} : { cpuCores }), ...(memoryMB === undefined ? {} : { memoryMB }) },
  };
}
