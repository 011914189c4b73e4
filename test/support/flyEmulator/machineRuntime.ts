import { setTimeout as delay } from 'node:timers/promises';
import { badRequest } from './apiFailure';

/** The parts of a machine config a runtime needs to run it. */
export interface RuntimeMachineConfig {
  image: string;
  init?: { cmd?: string[] };
  guest?: { cpus?: number; memory_mb?: number };
  mounts?: { volume: string; path: string }[];
  services?: { internal_port?: number }[];
}

export interface RuntimeMachine {
  id: string;
  config: RuntimeMachineConfig;
  /** The config's env plus the app's secrets. */
  env: Record<string, string>;
  /**
   * The private network of its app when the app was created with a `network` of its own: `name` is unique among the
   * emulator's networks, `host` the name the machine answers to there (<app>.internal). Absent: the organization's default.
   */
  network?: { name: string; host: string };
}

export interface ExecOutcome {
  exit_code: number;
  stdout: string;
  stderr: string;
}

/** What actually runs behind an emulated machine: nothing (simulated) or a local Docker container. */
export interface MachineRuntime {
  /** Prepares the machine's workload without starting it. */
  create(machine: RuntimeMachine): Promise<void>;
  start(id: string): Promise<void>;
  stop(id: string, signal: string, timeoutSeconds: number): Promise<void>;
  restart(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes the workload; the volumes stay. */
  destroy(id: string): Promise<void>;
  destroyVolume(volumeId: string): Promise<void>;
  exec(id: string, command: string[], timeoutSeconds: number): Promise<ExecOutcome>;
  /** Where the machine's internal port answers on this host (http://127.0.0.1:<port>/), if something really runs. */
  address(id: string, internalPort: number): Promise<string | undefined>;
  /** Removes everything it made. */
  close(): Promise<void>;
}

/** Machines that only change state: starting, stopping and restarting take `transitionDelayMs`, and nothing runs. */
export class SimulatedRuntime implements MachineRuntime {
  constructor(public transitionDelayMs: number) {}

  start = () => this.pause();
  stop = () => this.pause();
  restart = () => this.pause();
  create = async () => undefined;
  destroy = async () => undefined;
  destroyVolume = async () => undefined;
  address = async () => undefined;
  close = async () => undefined;

  async exec(): Promise<ExecOutcome> {
    throw badRequest('exec needs a machine that really runs: start the emulator with runtime "docker"');
  }

  private async pause(): Promise<void> {
    await delay(this.transitionDelayMs);
  }
}
