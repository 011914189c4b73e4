import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultInjector } from './faults';
import type { FlyWorld } from './flyWorld';
import { graphqlCall } from './graphqlApi';
import type { RateLimits } from './rateLimits';
import { restCall, type ApiCall, type Reply } from './restApi';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. "/v1/apps/x/machines/y/wait?state=started". */
  path: string;
  operation: string;
  /** The answer's status, or "reset" when the connection was cut instead. */
  status: number | 'reset';
}

const UNAUTHENTICATED: Reply = { status: 401, body: { error: 'You must be authenticated to view this.' } };
const RATE_LIMITED: Reply = { status: 429, body: { error: 'rate limit exceeded' } };

/** The emulator's HTTP face: authentication, rate limits and injected faults in front of the REST and GraphQL APIs. */
export class EmulatorServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;

  constructor(
    private readonly world: FlyWorld,
    private readonly token: string,
    private readonly faults: FaultInjector,
    private readonly limits: RateLimits,
  ) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) this.send(response, { status: 500, body: { error: String(error) } });
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    const call: ApiCall = url.pathname === '/graphql' && method === 'POST' ? graphqlCall(this.world, body) : restCall(this.world, method, url, body);
    const recorded: RecordedRequest = { method, path: `${url.pathname}${url.search}`, operation: call.operation, status: 0 };
    this.requests.push(recorded);
    const answer = (reply: Reply) => {
      recorded.status = reply.status;
      this.send(response, reply);
    };

    if (request.headers.authorization !== `Bearer ${this.token}`) return answer(UNAUTHENTICATED);
    if (call.operation !== 'unknown' && !this.limits.admit(call.operation, call.scope)) return answer(RATE_LIMITED);
    const fault = this.faults.take(call.operation);
    if (fault?.kind === 'delay') await delay(fault.ms);
    if (fault?.kind === 'reply') return answer({ status: fault.status, body: fault.body, headers: fault.headers });
    if (fault?.kind === 'reset' && fault.when === 'before') return this.reset(request, recorded);
    const reply = await call.run();
    if (fault?.kind === 'reset') return this.reset(request, recorded);
    answer(reply);
  }

  private reset(request: IncomingMessage, recorded: RecordedRequest): void {
    recorded.status = 'reset';
    request.socket.resetAndDestroy();
  }

  private send(response: ServerResponse, { status, body, headers = {} }: Reply): void {
    if (response.destroyed) return;
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, { ...headers, ...(text ? { 'Content-Type': 'application/json' } : {}) });
    response.end(text);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
