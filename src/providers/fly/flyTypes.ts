/** The parts of Fly's Machines API and GraphQL shapes this extension uses (../shared/fly/machines-openapi3.json). */

export type FlyMachineState =
  | 'created'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'suspending'
  | 'suspended'
  | 'restarting'
  | 'updating'
  | 'replacing'
  | 'destroying'
  | 'destroyed'
  | 'failed'
  | 'launch_failed'
  | 'creating';

/** The states /wait can wait for (`settled`: any state that is not on the way to another). */
export type FlyWaitState = 'started' | 'stopped' | 'suspended' | 'destroyed' | 'failed' | 'settled';

export type FlyCpuKind = 'shared' | 'performance';

export interface FlyGuest {
  cpu_kind: FlyCpuKind;
  cpus: number;
  memory_mb: number;
}

export interface FlyMount {
  volume: string;
  path: string;
  size_gb?: number;
  name?: string;
}

export interface FlyServicePort {
  port: number;
  handlers: string[];
  force_https?: boolean;
}

export interface FlyService {
  protocol: 'tcp' | 'udp';
  internal_port: number;
  ports: FlyServicePort[];
  autostart?: boolean;
  autostop?: boolean;
}

export interface FlyCheck {
  type: 'http' | 'tcp';
  port: number;
  path?: string;
  method?: string;
  interval: string;
  timeout: string;
  grace_period?: string;
}

export interface FlyMachineConfig {
  image: string;
  env?: Record<string, string>;
  guest: FlyGuest;
  init?: { cmd?: string[]; entrypoint?: string[] };
  mounts?: FlyMount[];
  services?: FlyService[];
  checks?: Record<string, FlyCheck>;
  restart?: { policy: 'no' | 'always' | 'on-failure'; max_retries?: number };
  metadata?: Record<string, string>;
}

export interface FlyCheckStatus {
  name: string;
  status: string;
  output?: string;
}

/** What happened to a machine (a launch, an exit, a start); `request` carries the details, e.g. an exit code or an error. */
export interface FlyMachineEvent {
  id?: string;
  type: string;
  status: string;
  source?: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  request?: Record<string, unknown>;
}

export interface FlyMachine {
  id: string;
  name: string;
  state: FlyMachineState;
  region: string;
  /** Changes with every update of the machine's configuration. */
  instance_id: string;
  private_ip?: string;
  config: FlyMachineConfig;
  created_at: string;
  updated_at?: string;
  checks?: FlyCheckStatus[];
  /** The machine's recent events (the Machines API's get and list; not the GraphQL listing). */
  events?: FlyMachineEvent[];
}

/** An app with its machines as one GraphQL listing gave them; undefined machines: the query could not answer for this app. */
export interface FlyAppMachines {
  name: string;
  machines?: FlyMachine[];
}

export interface CreateMachineOptions {
  name?: string;
  region: string;
  config: FlyMachineConfig;
  /** Create in state `created` without starting. */
  skipLaunch?: boolean;
}

export interface UpdateMachineOptions {
  config: FlyMachineConfig;
  /** The instance_id the update was based on; Fly refuses the update if the machine changed since (409). */
  currentVersion?: string;
  skipLaunch?: boolean;
}

export interface StopMachineOptions {
  signal?: 'SIGTERM' | 'SIGINT' | 'SIGKILL';
  /** Seconds before Fly kills the machine. */
  timeoutSeconds?: number;
}

export interface WaitMachineOptions {
  /** Any of these ends the wait; the answer says which. */
  states: readonly FlyWaitState[];
  /** Wait on this version of the machine; Fly needs it to wait for `stopped`. */
  instanceId?: string;
  /** Seconds the server blocks, at most 60; an unreached state answers 408. */
  timeoutSeconds: number;
}

/** /wait's answer: which of the states the machine reached (Fly's older API answered without it). */
export interface FlyWaitResult {
  state?: string;
}

export interface FlyExecResult {
  exit_code: number;
  exit_signal?: number;
  stdout: string;
  stderr: string;
}

export interface FlyApp {
  id?: string;
  name: string;
  status?: string;
  organization?: { name: string; slug: string };
}

/** An app and the private network it was created on (none: the organization's default). */
export interface FlyAppNetwork {
  name: string;
  network?: string;
}

export interface FlyAppSummary {
  name: string;
  machine_count: number;
}

export interface FlyVolume {
  id: string;
  name: string;
  state: string;
  size_gb: number;
  region: string;
  zone?: string;
  encrypted?: boolean;
  attached_machine_id: string | null;
  created_at: string;
}

export interface CreateVolumeOptions {
  name: string;
  region: string;
  sizeGb: number;
  encrypted?: boolean;
}

export interface ExtendVolumeResult {
  needs_restart: boolean;
  volume: FlyVolume;
}

export type FlyIpType = 'v4' | 'v6' | 'shared_v4' | 'private_v6';

export interface FlyIpAddress {
  type: FlyIpType;
  address: string;
  region?: string;
}

export interface FlyOrganization {
  id: string;
  slug: string;
  name: string;
}

export interface FlyRegion {
  code: string;
  name: string;
}
