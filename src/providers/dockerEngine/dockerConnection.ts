import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { invalidConfig } from '../../core/errors';
import { isLoopbackHostname } from '../../core/loopback';
import type { SshEndpointDescription } from '../../core/provider';
import { redactUrls } from '../../core/redaction';

/**
 * The settings naming an engine and its TLS (keys under the remoteSwarm namespace), for errors that point at them:
 * each provider over the Docker Engine API has its own (docker.*, swarm.*).
 */
export interface EngineSettingNames {
  host: string;
  tlsVerify: string;
  certPath: string;
}

export const DOCKER_ENGINE_SETTINGS: Readonly<EngineSettingNames> = { host: 'docker.host', tlsVerify: 'docker.tlsVerify', certPath: 'docker.certPath' };

/** How to reach a tcp:// or https:// engine over TLS, as the docker CLI does. */
export interface DockerTlsSettings {
  /** Use TLS and verify the engine's certificate; also on when DOCKER_TLS_VERIFY is set (to anything, as for the docker CLI). */
  tlsVerify?: boolean;
  /** The folder with ca.pem, cert.pem and key.pem; default DOCKER_CERT_PATH, else ~/.docker. */
  certPath?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Dockerode options for a DOCKER_HOST-style address (unix://, npipe://, tcp://, http(s)://, ssh://); without one, the
 * DOCKER_HOST environment variable's. A tcp:// engine is reached over HTTPS with the client certificate of `tls` when
 * TLS is on, over plain HTTP otherwise. Without any address, dockerode finds the default socket.
 * Every connection option is given, so none comes from the environment behind the setting's back.
 */
export function dockerOptionsForHost(
  host: string | undefined,
  tls: DockerTlsSettings = {},
  env: Environment = process.env,
  settings: EngineSettingNames = DOCKER_ENGINE_SETTINGS,
): Docker.DockerOptions | undefined {
  const engine = host ?? withScheme(env.DOCKER_HOST);
  if (engine === undefined) return undefined;
  const scheme = /^([a-z]+):\/\//.exec(engine)?.[1];
  const none = { socketPath: undefined, host: undefined, port: undefined, username: undefined, ca: undefined, cert: undefined, key: undefined };
  if (scheme === 'unix' || scheme === 'npipe') return { ...none, protocol: 'http', socketPath: engine.slice(scheme.length + 3) };
  if (scheme === 'ssh') {
    const url = new URL(engine);
    return { ...none, protocol: 'ssh', host: url.hostname, port: url.port || '22', ...(url.username ? { username: decodeURIComponent(url.username) } : {}) };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    const url = new URL(engine);
    const useTls = tlsIsOn(tls, env);
    if (scheme === 'http' && useTls) {
      throw invalidConfig(settings.host, `"${redactUrls(engine)}" is plain HTTP but TLS is on (${settings.tlsVerify} or DOCKER_TLS_VERIFY); write the address as tcp:// or https://`);
    }
    const https = scheme === 'https' || (scheme === 'tcp' && useTls);
    return { ...none, protocol: https ? 'https' : 'http', host: url.hostname, port: url.port || (https ? '2376' : '2375'), ...(useTls ? tlsFiles(tls, env, settings.certPath) : {}) };
  }
  throw invalidConfig(settings.host, `"${redactUrls(engine)}" is not a Docker host address; use e.g. unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host`);
}

function withScheme(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.includes('://') ? address : `tcp://${address}`;
}

function tlsIsOn(tls: DockerTlsSettings, env: Environment): boolean {
  return tls.tlsVerify === true || Boolean(env.DOCKER_TLS_VERIFY);
}

/** ca.pem (else the system's authorities verify the engine), cert.pem and key.pem (the client certificate, both or neither). */
function tlsFiles(tls: DockerTlsSettings, env: Environment, certPathSetting: string): Pick<Docker.DockerOptions, 'ca' | 'cert' | 'key'> {
  const named = tls.certPath || env.DOCKER_CERT_PATH;
  const folder = named || path.join(homedir(), '.docker');
  if (named && !existsSync(folder)) {
    const where = tls.certPath ? '' : ' (from DOCKER_CERT_PATH)';
    throw invalidConfig(certPathSetting, `"${folder}"${where} does not exist; name the folder holding ca.pem, cert.pem and key.pem`);
  }
  const read = (file: string) => (existsSync(path.join(folder, file)) ? readFileSync(path.join(folder, file)) : undefined);
  const [ca, cert, key] = [read('ca.pem'), read('cert.pem'), read('key.pem')];
  if ((cert === undefined) !== (key === undefined)) {
    throw invalidConfig(certPathSetting, `"${folder}" holds ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}; a client certificate needs both`);
  }
  return { ca, cert, key };
}

/** Where the engine is expected, for error messages: without the credentials its address may carry. */
export function describeHost(host: string | undefined): string {
  return redactUrls(host ?? process.env.DOCKER_HOST ?? 'the default socket (/var/run/docker.sock)');
}

/**
 * Where this machine reaches a port the engine published: the engine's own machine. A local engine's ports are on
 * loopback here; a tcp:// engine's are on its host when bound to every address; an ssh:// engine's are reached through
 * ssh to that host (`ssh -W`), wherever they are bound there.
 */
export function publishedPortReach(host: string | undefined, hostIp: string, port: number): Pick<SshEndpointDescription, 'host' | 'port' | 'proxyCommand'> | undefined {
  const everyAddress = hostIp === '' || hostIp === '0.0.0.0' || hostIp === '::';
  const boundHost = everyAddress ? '127.0.0.1' : hostIp;
  const engine = engineAddress(host);
  if (engine === undefined || isLocalEngine(host)) return { host: boundHost, port };
  const url = new URL(engine);
  if (url.protocol === 'ssh:') {
    const login = url.username ? `${decodeURIComponent(url.username)}@${url.hostname}` : url.hostname;
    return { host: boundHost, port, proxyCommand: ['ssh', ...(url.port ? ['-p', url.port] : []), '-W', `${boundHost}:${port}`, login] };
  }
  if (isLoopbackHostname(url.hostname)) return { host: boundHost, port };
  return everyAddress ? { host: url.hostname, port } : undefined;
}

/** A network engine reached over plain HTTP from elsewhere: what it is sent (instance passwords, the engine itself) crosses the network readable. */
export function isPlainHttpToAnotherMachine(options: Docker.DockerOptions | undefined): boolean {
  return options?.protocol === 'http' && options.host !== undefined && !isLoopbackHostname(options.host);
}

/**
 * Whether the engine is this machine's own (a unix:// or npipe:// socket, or the default one). Whoever can use such
 * an engine is root here already; any other (tcp://, ssh://) may be shared with others, who see what it is handed.
 */
export function isLocalEngine(host: string | undefined): boolean {
  const engine = engineAddress(host);
  const scheme = engine === undefined ? 'unix' : /^([a-z]+):\/\//.exec(engine)?.[1];
  return scheme === 'unix' || scheme === 'npipe';
}

/** The setting, else DOCKER_HOST; undefined: the default socket. */
function engineAddress(host: string | undefined): string | undefined {
  return host ?? process.env.DOCKER_HOST;
}
