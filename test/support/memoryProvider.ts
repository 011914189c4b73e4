import { SwarmError } from '../../src/core/errors';
import type { InstanceConfig } from '../../src/core/models';
import type { CreateInstanceRequest, Provider, ProviderCapabilities, ProviderInstance, ResourceUsage, ShellSession } from '../../src/core/provider';

interface Stored {
  instance: ProviderInstance;
  password?: string;
}

/**
 * An in-process Provider for unit tests of the core (the controller and registry are under test, not this).
 * Every call is recorded; `gate` lets a test hold an operation open to observe serialisation.
 */
export class MemoryProvider implements Provider {
  readonly type = 'memory';
  readonly displayName = 'Memory';
  readonly calls: string[] = [];
  readonly instances = new Map<string, Stored>();
  failNextCreate?: SwarmError;
  gate?: Promise<void>;
  /** Holds listings' answers back (what they list is taken when they are asked). */
  listingGate?: Promise<void>;
  unavailable = false;
  /** IDE URLs by instance name, for tests that probe instances (local HTTP servers); the others get a made-up port. */
  readonly ideUrls = new Map<string, string>();
  /** What a command run in an instance prints, for tests that need more than the echo of its argv. */
  answerExec?: (id: string, argv: readonly string[]) => { stdout: string; stderr: string; exitCode: number } | undefined;

  getCapabilities(): ProviderCapabilities {
    return {
      stop: true, forceStop: true, restart: true, liveResourceUpdate: true, recreateUpdate: true, logs: true, exec: true,
      keepWorkspaceOnDelete: true, cancellableCreate: false, attachContainer: false, shell: false, provisions: true, endpoints: false, workspaceTransfer: false, privateNetworks: false, passwordReset: false,
    };
  }

  async initialize(): Promise<void> {
    this.check();
  }

  async createInstance(request: CreateInstanceRequest): Promise<ProviderInstance> {
    await this.enter(`create:${request.config.name}`);
    if (this.failNextCreate) {
      const failure = this.failNextCreate;
      this.failNextCreate = undefined;
      throw failure;
    }
    const instance: ProviderInstance = {
      id: request.id,
      name: request.config.name,
      status: 'running',
      urls: { ide: this.ideUrls.get(request.config.name) ?? `http://127.0.0.1:${8000 + this.instances.size}/` },
      ports: [],
      config: request.config,
      metadata: { store: 'memory' },
    };
    this.instances.set(request.id, { instance, password: request.password });
    return instance;
  }

  async getInstance(id: string): Promise<ProviderInstance | undefined> {
    return this.instances.get(id)?.instance;
  }

  async listInstances(): Promise<ProviderInstance[]> {
    this.check();
    this.calls.push('list');
    const listed = [...this.instances.values()].map((stored) => stored.instance);
    // A listing answers what was there when it was asked, however late the answer arrives.
    await this.listingGate;
    return listed;
  }

  startInstance(id: string): Promise<ProviderInstance> {
    return this.transition('start', id, 'running');
  }

  stopInstance(id: string): Promise<ProviderInstance> {
    return this.transition('stop', id, 'stopped');
  }

  restartInstance(id: string): Promise<ProviderInstance> {
    return this.transition('restart', id, 'running');
  }

  async deleteInstance(id: string): Promise<void> {
    await this.enter(`delete:${id}`);
    if (!this.instances.delete(id)) throw new SwarmError('INSTANCE_NOT_FOUND', `no ${id}`);
  }

  async updateInstance(id: string, config: InstanceConfig): Promise<ProviderInstance> {
    const stored = this.require(id);
    await this.enter(`update:${id}`);
    stored.instance = { ...stored.instance, config };
    return stored.instance;
  }

  async getInstanceLogs(id: string): Promise<string> {
    return `logs of ${this.require(id).instance.name}\n`;
  }

  async executeCommand(id: string, argv: readonly string[]) {
    this.require(id);
    return this.answerExec?.(id, argv) ?? { stdout: argv.join(' '), stderr: '', exitCode: 0 };
  }

  /** CPU and memory by instance id, for tests of what reads them; none unless set. */
  readonly usage = new Map<string, ResourceUsage>();

  async getInstanceStats(id: string): Promise<ResourceUsage | undefined> {
    return this.usage.get(id);
  }

  async openShell(): Promise<ShellSession> {
    throw new SwarmError('OPERATION_FAILED', 'the memory provider has no shell');
  }

  dispose(): void {}

  private async transition(operation: string, id: string, status: ProviderInstance['status']): Promise<ProviderInstance> {
    const stored = this.require(id);
    await this.enter(`${operation}:${id}:begin`);
    stored.instance = { ...stored.instance, status };
    this.calls.push(`${operation}:${id}:end`);
    return stored.instance;
  }

  private async enter(call: string): Promise<void> {
    this.check();
    this.calls.push(call);
    if (this.gate) await this.gate;
  }

  private require(id: string): Stored {
    const stored = this.instances.get(id);
    if (!stored) throw new SwarmError('INSTANCE_NOT_FOUND', `no ${id}`);
    return stored;
  }

  private check(): void {
    if (this.unavailable) throw new SwarmError('PROVIDER_UNAVAILABLE', 'memory provider is switched off');
  }
}
