import type Docker from 'dockerode';
import { invalidConfig } from '../../core/errors';

export const HOST_SETTING = 'remoteSwarm.docker.host';

/**
 * Dockerode options for a DOCKER_HOST-style address (unix://, npipe://, tcp://, http(s)://, ssh://).
 * Without one, dockerode itself reads DOCKER_HOST or finds the default socket.
 */
export function dockerOptionsForHost(host: string | undefined): Docker.DockerOptions | undefined {
  if (host === undefined) return undefined;
  const scheme = /^([a-z]+):\/\//.exec(host)?.[1];
  if (scheme === 'unix' || scheme === 'npipe') return { socketPath: host.slice(scheme.length + 3) };
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https' || scheme === 'ssh') {
    const url = new URL(host);
    return {
      host: url.hostname,
      port: url.port || defaultPort(scheme),
      protocol: scheme === 'tcp' ? 'http' : scheme,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    };
  }
  throw invalidConfig(HOST_SETTING, `"${host}" is not a Docker host address; use e.g. unix:///var/run/docker.sock or tcp://host:2375`);
}

function defaultPort(scheme: 'tcp' | 'http' | 'https' | 'ssh'): string {
  return { tcp: '2375', http: '2375', https: '2376', ssh: '22' }[scheme];
}

/** Where the engine is expected, for error messages. */
export function describeHost(host: string | undefined): string {
  return host ?? process.env.DOCKER_HOST ?? 'the default socket (/var/run/docker.sock)';
}
