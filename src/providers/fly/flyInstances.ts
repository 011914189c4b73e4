import type { InstanceStatus } from '../../core/models';
import type { ProviderInstance } from '../../core/provider';
import { flyAppUrl } from './flyAppNames';
import { decodeConfig, instanceIdOf, METADATA, ownerOf } from './flyMetadata';
import { flyPresetName, flyPricePerHour, flyVolumePricePerHour } from './flyPricing';
import type { FlyMachine, FlyMachineState } from './flyTypes';

const STATUS_BY_STATE: Record<FlyMachineState, InstanceStatus> = {
  creating: 'creating',
  created: 'stopped',
  starting: 'starting',
  started: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  suspending: 'stopping',
  suspended: 'stopped',
  restarting: 'restarting',
  updating: 'updating',
  replacing: 'updating',
  destroying: 'deleting',
  destroyed: 'missing',
  failed: 'error',
  launch_failed: 'error',
};

/** An instance's machine made by this installation (`owner`), or by any before owners were marked; not another's. */
export function isOurMachine(machine: FlyMachine, owner: string): boolean {
  const { metadata } = machine.config;
  const madeBy = ownerOf(metadata);
  return instanceIdOf(metadata) !== undefined && (madeBy === undefined || madeBy === owner);
}

/** The workspace volume's size, from the machine's mount (Fly fills in size_gb). */
export function workspaceSizeGB(machine: FlyMachine): number | undefined {
  return machine.config.mounts?.[0]?.size_gb;
}

/** A ProviderInstance from a machine alone, so a list of machines costs no further calls. */
export function toProviderInstance(app: string, machine: FlyMachine): ProviderInstance {
  const metadata = machine.config.metadata ?? {};
  const status = STATUS_BY_STATE[machine.state] ?? 'unknown';
  const { guest } = machine.config;
  const config = decodeConfig(metadata);
  const volumeGB = workspaceSizeGB(machine) ?? config?.resources.storageGB ?? 0;
  const price = flyPricePerHour(guest, volumeGB);
  return {
    id: instanceIdOf(metadata) ?? machine.id,
    name: metadata[METADATA.name] ?? machine.name,
    status,
    urls: status === 'running' ? { ide: flyAppUrl(app) } : {},
    ports: [],
    config,
    createdAt: machine.created_at,
    metadata: {
      app,
      machineId: machine.id,
      region: machine.region,
      size: `${flyPresetName(guest)} ${guest.memory_mb}MB`,
      volume: machine.config.mounts?.[0]?.volume ?? '',
      ...(price === undefined ? {} : { pricePerHourUsd: price.toFixed(5) }),
      stoppedPricePerHourUsd: flyVolumePricePerHour(volumeGB).toFixed(5),
    },
  };
}
