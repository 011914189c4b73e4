import type { Client } from 'ssh2';

/**
 * One shared SSH connection per instance, opened on first use and reused by commands, shells and tunnels (each is a
 * channel of it). A connection that closes or fails is dropped, so the next use connects afresh.
 */
export class SshConnectionPool {
  private readonly connections = new Map<string, Promise<Client>>();

  get(key: string, connect: () => Promise<Client>): Promise<Client> {
    const existing = this.connections.get(key);
    if (existing) return existing;
    const pending = connect();
    this.connections.set(key, pending);
    const forget = () => {
      if (this.connections.get(key) === pending) this.connections.delete(key);
    };
    pending.then((client) => {
      client.on('close', forget);
      // A failing connection also closes; users of its channels learn of it through their channels.
      client.on('error', () => undefined);
    }, forget);
    return pending;
  }

  /** Closes the instance's connection, e.g. when it is deleted. */
  close(key: string): void {
    const pending = this.connections.get(key);
    this.connections.delete(key);
    pending?.then((client) => client.end(), () => undefined);
  }

  dispose(): void {
    for (const key of [...this.connections.keys()]) this.close(key);
  }
}
