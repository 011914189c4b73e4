import type Docker from 'dockerode';
import { invalidConfig } from '../../core/errors';
import type { SshEndpointDescription } from '../../core/provider';

/** The setting naming the engine (remoteSwarm.docker.host in the extension). */
export const HOST_SETTING = 'docker.host';

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

/**
 * Where this machine reaches a port the engine published: the engine's own machine. A local engine's ports are on
 * loopback here; a tcp:// engine's are on its host when bound to every address; an ssh:// engine's are reached through
 * ssh to that host (`ssh -W`), wherever they are bound there.
 */
export function publishedPortReach(host: string | undefined, hostIp: string, port: number): Pick<SshEndpointDescription, 'host' | 'port' | 'proxyCommand'> | undefined {
  const engine = host ?? process.env.DOCKER_HOST;
  const scheme = engine === undefined ? 'unix' : /^([a-z]+):\/\//.exec(engine)?.[1];
  const everyAddress = hostIp === '' || hostIp === '0.0.0.0' || hostIp === '::';
  const boundHost = everyAddress ? '127.0.0.1' : hostIp;
  if (scheme === 'unix' || scheme === 'npipe' || engine === undefined) return { host: boundHost, port };
  const url = new URL(engine);
  if (scheme === 'ssh') {
    const login = url.username ? `${decodeURIComponent(url.username)}@${url.hostname}` : url.hostname;
    return { host: boundHost, port, proxyCommand: ['ssh', ...(url.port ? ['-p', url.port] : []), '-W', `${boundHost}:${port}`, login] };
  }
  if (isLoopbackName(url.hostname)) return { host: boundHost, port };
  return everyAddress ? { host: url.hostname, port } : undefined;
}

function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || hostname === '[::1]' || hostname.startsWith('127.');
}
