import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a HealthzServer answers: like code-server's /healthz (optionally late, or with another status), or never. */
export type HealthzBehaviour = { answer: 'json'; status?: number; lastHeartbeat?: number; delayMs?: number } | { answer: 'never' };

/**
 * A real HTTP server on 127.0.0.1 standing in for an instance's code-server where a container is not the point.
 * Its behaviour can change between requests; it counts requests and the most it had open at once.
 */
export class HealthzServer {
  behaviour: HealthzBehaviour;
  requests = 0;
  maxConcurrent = 0;
  private open = 0;

  /** The instance's IDE URL; its /healthz is what the monitor probes. It stays the same after close(). */
  readonly url: string;

  private constructor(
    private readonly server: http.Server,
    behaviour: HealthzBehaviour,
  ) {
    this.behaviour = behaviour;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    server.on('request', (request, response) => this.answer(request, response));
  }

  static async start(behaviour: HealthzBehaviour = { answer: 'json' }): Promise<HealthzServer> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HealthzServer(server, behaviour);
  }

  /** Stops listening and drops open connections: from now on connections are refused. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.requests += 1;
    this.open += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
    response.on('close', () => (this.open -= 1));
    const behaviour = this.behaviour;
    if (behaviour.answer === 'never' || !request.url?.endsWith('/healthz')) {
      if (behaviour.answer !== 'never') response.writeHead(404).end();
      return;
    }
    const send = () =>
      response
        .writeHead(behaviour.status ?? 200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'alive', lastHeartbeat: behaviour.lastHeartbeat ?? 0 }));
    if (behaviour.delayMs) setTimeout(send, behaviour.delayMs);
    else send();
  }
}

/** How many /healthz endpoints of each behaviour the health-sweep benchmark starts. */
export interface HealthzMix {
  answering: number;
  slow: number;
  hanging: number;
  dead: number;
  slowMs: number;
}
