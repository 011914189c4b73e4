import type Docker from 'dockerode';
import type { SwarmError } from '../../core/errors';

/** What the DockerProvider lends its extensions (workspaces, networks): its engine, its scope, and its way to an instance's container. */
export interface DockerProviderParts {
  docker: Docker;
  /** The labels on everything the provider makes, and required of what it lists (tests scope a run with them). */
  extraLabels: Record<string, string>;
  /** Runs work on an instance's container; a missing container is INSTANCE_NOT_FOUND, any failure a SwarmError. */
  withContainer<T>(
    id: string,
    verb: string,
    signal: AbortSignal | undefined,
    work: (container: Docker.Container, info: Docker.ContainerInfo) => Promise<T>,
  ): Promise<T>;
  toSwarmError(error: unknown, action: string, signal?: AbortSignal): SwarmError;
}
