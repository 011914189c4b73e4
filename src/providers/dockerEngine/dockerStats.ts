import type Docker from 'dockerode';
import type { ResourceUsage } from '../../core/provider';

interface CpuReading {
  containerNs: number;
  systemNs: number;
}

/**
 * Turns one-shot `docker stats` readings into resource use. A one-shot reading answers at once (a streamed one waits a
 * second for its second sample) but carries a single CPU sample, so CPU % comes from the previous reading of the same
 * container: the average over the time between two health checks.
 */
export class DockerUsageSampler {
  private readonly previous = new Map<string, CpuReading>();

  usage(containerId: string, stats: Docker.ContainerStats): ResourceUsage {
    const reading = { containerNs: stats.cpu_stats.cpu_usage.total_usage, systemNs: stats.cpu_stats.system_cpu_usage };
    const before = this.previous.get(containerId);
    this.previous.set(containerId, reading);
    const systemDelta = before === undefined ? 0 : reading.systemNs - before.systemNs;
    const containerDelta = before === undefined ? 0 : reading.containerNs - before.containerNs;
    const cpus = stats.cpu_stats.online_cpus || stats.cpu_stats.cpu_usage.percpu_usage?.length || 1;
    return {
      cpuPercent: systemDelta > 0 && containerDelta >= 0 ? (containerDelta / systemDelta) * cpus * 100 : undefined,
      memoryBytes: usedMemory(stats.memory_stats),
      memoryLimitBytes: stats.memory_stats.limit || undefined,
    };
  }

  forget(containerId: string): void {
    this.previous.delete(containerId);
  }
}

/** Memory in use as `docker stats` counts it: without the page cache the kernel can drop (cgroup v1 and v2 name it differently). */
function usedMemory(memory: Docker.MemoryStats): number {
  const cache = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
  return Math.max(0, (memory.usage ?? 0) - cache);
}
