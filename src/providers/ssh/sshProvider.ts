import type { Readable } from 'node:stream';
import type { Client } from 'ssh2';
import { errorMessage, invalidConfig, SwarmError } from '../../core/errors';
import type { InstanceStatus } from '../../core/models';
import type {
  CreateInstanceRequest,
  ExecOptions,
  ExecResult,
  InstanceEndpoints,
  InstancePasswords,
  LogOptions,
  OperationOptions,
  Provider,
  ProviderCapabilities,
  ProviderInstance,
  ShellSession,
  TerminalSize,
  WorkspaceTransfer,
} from '../../core/provider';
import type { KeyValueStore } from '../../core/stores';
import { CodeServerOnHost, type HostProbe, type RunOnHost } from './codeServerOnHost';
import type { HostKeyTrust } from '../../ssh/hostKeyTrust';
import { IdeTunnel } from './ideTunnel';
import type { KeyPassphrases } from '../../ssh/keyPassphrases';
import { runSshCommand } from './sshCommand';
import { startSshCommand } from './sshStreamCommand';
import { connectSsh, type SshConnectOptions } from './sshConnect';
import { SshConnectionPool } from './sshConnectionPool';
import { describeEndpoint } from './sshErrors';
import { endpointOfConfig, type SshEndpoint } from './sshEndpoint';
import { SshHostStore, type StoredHost } from './sshHostStore';
import { openSshShell } from './sshShell';
import { SshWorkspaces } from './sshWorkspaces';
import { SSH_PROVIDER_TYPE, SSH_DISPLAY_NAME, SSH_CAPABILITIES } from './sshDescription';
export { SSH_PROVIDER_TYPE, SSH_DISPLAY_NAME, SSH_CAPABILITIES } from './sshDescription';

const DEFAULT_LOG_LINES = 1000;
const DEFAULT_READY_TIMEOUT_MS = 15_000;

export interface SshProviderDependencies {
  /** Where the added hosts are listed (no secrets, no host keys). */
  hosts: KeyValueStore;
  /** Checks host keys, asking the user on first use. */
  trust: HostKeyTrust;
  passphrases: KeyPassphrases;
  readyTimeoutMs?: number;
  /** The ssh-agent socket; default SSH_AUTH_SOCK. */
  agentSocket?: string;
}

/** One host as the provider works with it: its shared connection, commands over it, and its code-server. */
interface HostAccess {
  connection: () => Promise<Client>;
  run: RunOnHost;
  codeServer: CodeServerOnHost;
}

/**
 * "Bring your own box": existing machines reached over SSH (ssh2). Commands, logs and shells go over one shared,
 * host-key-verified connection per host; when code-server is installed there, Remote Swarm runs it on a private Unix
 * socket and serves it on a local port through the connection.
 */
export class SshProvider implements Provider {
  readonly type = SSH_PROVIDER_TYPE;
  readonly displayName = SSH_DISPLAY_NAME;
  private readonly hosts: SshHostStore;
  private readonly connections = new SshConnectionPool();
  private readonly tunnels = new Map<string, Promise<IdeTunnel>>();
  private readonly connectOptions: SshConnectOptions;
  readonly workspaces: WorkspaceTransfer = new SshWorkspaces(async (id) => {
    const host = this.require(id);
    const { endpoint, access } = this.endpointAndAccess(host);
    return { connection: await access.connection(), workspacePath: host.config.workspacePath, description: `"${host.config.name}" (${describeEndpoint(endpoint)})` };
  });

  readonly passwords: InstancePasswords = {
    recover: async (id) => this.accessTo(this.require(id)).codeServer.password(),
    // code-server reads its password when it starts: a running one is restarted with the new configuration.
    reset: async (id, password) => {
      const host = this.require(id);
      const { codeServer } = this.accessTo(host);
      const probe = await codeServer.probe();
      if (!probe.codeServerInstalled) throw new SwarmError('CONFLICT', `"${host.config.name}" runs no code-server for Remote Swarm: it has no password to change.`);
      await codeServer.configure(password);
      if (probe.codeServerRunning) {
        await codeServer.stop();
        await this.closeTunnel(id);
        await codeServer.start(host.config.workspacePath);
      }
      return this.observe(host);
    },
  };

  constructor({ hosts, trust, passphrases, readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS, agentSocket }: SshProviderDependencies) {
    this.hosts = new SshHostStore(hosts);
    this.connectOptions = { trust, passphrases, readyTimeoutMs, agentSocket };
  }

  getCapabilities(): ProviderCapabilities {
    return { ...SSH_CAPABILITIES };
  }

  /** Nothing to reach as a whole: each host is checked when it is used or listed. */
  async initialize(): Promise<void> {}

  /** Adds an existing host: connects (the host key is verified, asking the user on first use) and starts code-server when installed. */
  async createInstance({ id, config, password }: CreateInstanceRequest, { onProgress }: OperationOptions = {}): Promise<ProviderInstance> {
    const endpoint = endpointOfConfig(config);
    if (!endpoint) throw invalidConfig('options', 'need the host\'s address: host, port, user, and a key file or the ssh-agent');
    const { codeServer } = this.access(id, endpoint);
    let configured = false;
    try {
      onProgress?.(`Connecting to ${describeEndpoint(endpoint)}`);
      const probe = await codeServer.probe();
      if (probe.codeServerInstalled && password !== undefined) {
        onProgress?.('Starting code-server');
        configured = true;
        await codeServer.configure(password);
        await codeServer.start(config.workspacePath);
      }
      const host: StoredHost = { id, config, createdAt: new Date().toISOString() };
      await this.hosts.add(host);
      return await this.observe(host);
    } catch (error) {
      if (configured) await codeServer.stop().then(() => codeServer.removeState()).catch(() => undefined);
      this.connections.close(id);
      throw error;
    }
  }

  async getInstance(id: string): Promise<ProviderInstance | undefined> {
    const host = this.hosts.get(id);
    return host && this.observe(host);
  }

  async listInstances(): Promise<ProviderInstance[]> {
    return Promise.all(this.hosts.list().map((host) => this.observe(host)));
  }

  async startInstance(id: string): Promise<ProviderInstance> {
    const host = this.require(id);
    const { codeServer } = this.accessTo(host);
    if ((await codeServer.probe()).codeServerInstalled) await codeServer.start(host.config.workspacePath);
    return this.observe(host);
  }

  async stopInstance(id: string): Promise<ProviderInstance> {
    const host = this.require(id);
    const { codeServer } = this.accessTo(host);
    if (!(await codeServer.probe()).codeServerInstalled) {
      throw new SwarmError('CONFLICT', `"${host.config.name}" runs no code-server for Remote Swarm, and the host itself is not Remote Swarm's to stop.`);
    }
    await codeServer.stop();
    await this.closeTunnel(id);
    return this.observe(host);
  }

  async restartInstance(id: string): Promise<ProviderInstance> {
    await this.stopInstance(id);
    return this.startInstance(id);
  }

  /** Forgets the host. When it answers, the code-server Remote Swarm started is stopped and its state folder removed; nothing else is touched. */
  async deleteInstance(id: string): Promise<void> {
    const host = this.require(id);
    const { codeServer } = this.accessTo(host);
    await codeServer
      .stop()
      .then(() => codeServer.removeState())
      .catch(() => undefined);
    await this.closeTunnel(id);
    this.connections.close(id);
    await this.hosts.remove(id);
  }

  async updateInstance(id: string): Promise<ProviderInstance> {
    const { name } = this.require(id).config;
    throw new SwarmError('CONFLICT', `"${name}" is an existing host that Remote Swarm cannot change. Remove it and add it again to change its address, user or key.`);
  }

  /** The end of the log of the code-server Remote Swarm runs there ("since" and timestamps are not kept). */
  async getInstanceLogs(id: string, { tail = DEFAULT_LOG_LINES }: LogOptions = {}): Promise<string> {
    return this.accessTo(this.require(id)).codeServer.logs(tail);
  }

  async followInstanceLogs(id: string, { tail = DEFAULT_LOG_LINES, signal }: { tail?: number; signal: AbortSignal }): Promise<Readable> {
    const host = this.require(id);
    const { connection, codeServer } = this.accessTo(host);
    if (!(await codeServer.probe()).codeServerInstalled) throw new SwarmError('CONFLICT', `"${host.config.name}" runs no code-server for Remote Swarm: there is no log to follow.`);
    const command = await startSshCommand(await connection(), codeServer.followLogsArgv(tail));
    signal.addEventListener('abort', () => command.close(), { once: true });
    return command.channel;
  }

  async executeCommand(id: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.accessTo(this.require(id)).run(argv, options);
  }

  async openShell(id: string, size: TerminalSize): Promise<ShellSession> {
    return openSshShell(await this.accessTo(this.require(id)).connection(), size);
  }

  /** The host as the user gave it (their login and key) and, while code-server runs, its tunnelled URL. */
  async getEndpoints(id: string): Promise<InstanceEndpoints> {
    const host = this.require(id);
    const { endpoint } = this.endpointAndAccess(host);
    const { host: address, port, user, identityFile } = endpoint;
    const ide = (await this.tunnels.get(id)?.catch(() => undefined))?.url;
    return { ...(ide === undefined ? {} : { ide }), ssh: { host: address, port, user, ...(identityFile === undefined ? {} : { identityFile }), kind: 'existing-host' } };
  }

  dispose(): void {
    this.connections.dispose();
    for (const id of [...this.tunnels.keys()]) void this.closeTunnel(id);
  }

  /** What the host says now: reachable or why not, and whether code-server runs (then with a tunnel to it). */
  private async observe(host: StoredHost): Promise<ProviderInstance> {
    const { endpoint, access } = this.endpointAndAccess(host);
    let probe: HostProbe | undefined;
    let problem: string | undefined;
    let status: InstanceStatus;
    try {
      probe = await access.codeServer.probe();
      status = !probe.codeServerInstalled || probe.codeServerRunning ? 'running' : 'stopped';
    } catch (error) {
      problem = errorMessage(error);
      status = SwarmError.is(error, 'PROVIDER_UNAVAILABLE') ? 'unknown' : 'error';
    }
    let ide: string | undefined;
    if (probe?.codeServerRunning) ide = (await this.tunnel(host.id, access, probe.home)).url;
    else await this.closeTunnel(host.id);
    return {
      id: host.id,
      name: host.config.name,
      status,
      urls: { ...(ide === undefined ? {} : { ide }), ssh: `ssh://${endpoint.user}@${endpoint.host}:${endpoint.port}` },
      ports: [],
      config: host.config,
      createdAt: host.createdAt,
      // `problem` is always set ("" once the host answers), so a stale reason never outlives a recovery when metadata is merged.
      metadata: { host: describeEndpoint(endpoint), codeServer: codeServerState(probe), problem: problem ?? '' },
    };
  }

  private tunnel(id: string, access: HostAccess, home: string): Promise<IdeTunnel> {
    let tunnel = this.tunnels.get(id);
    if (!tunnel) {
      tunnel = IdeTunnel.open(access.connection, access.codeServer.socketPath(home));
      this.tunnels.set(id, tunnel);
      tunnel.catch(() => this.tunnels.delete(id));
    }
    return tunnel;
  }

  private async closeTunnel(id: string): Promise<void> {
    const tunnel = this.tunnels.get(id);
    this.tunnels.delete(id);
    (await tunnel?.catch(() => undefined))?.close();
  }

  private access(id: string, endpoint: SshEndpoint): HostAccess {
    const connection = () => this.connections.get(id, () => connectSsh(endpoint, this.connectOptions));
    const run: RunOnHost = async (argv, options) => runSshCommand(await connection(), argv, options);
    return { connection, run, codeServer: new CodeServerOnHost(run, id) };
  }

  private accessTo(host: StoredHost): HostAccess {
    return this.endpointAndAccess(host).access;
  }

  private endpointAndAccess(host: StoredHost): { endpoint: SshEndpoint; access: HostAccess } {
    const endpoint = endpointOfConfig(host.config);
    if (!endpoint) throw invalidConfig('options', `the stored host "${host.config.name}" has no address`);
    return { endpoint, access: this.access(host.id, endpoint) };
  }

  private require(id: string): StoredHost {
    const host = this.hosts.get(id);
    if (!host) throw new SwarmError('INSTANCE_NOT_FOUND', `No SSH host is registered as instance ${id}; it was removed outside this window.`, { details: { instance: id } });
    return host;
  }
}

function codeServerState(probe: HostProbe | undefined): string {
  if (probe === undefined) return 'unknown';
  return probe.codeServerRunning ? 'running' : probe.codeServerInstalled ? 'installed' : 'not installed';
}
