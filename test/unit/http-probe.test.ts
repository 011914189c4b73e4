import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeHttp } from '../../src/core/health/httpProbe';
import { HealthzServer, type HealthzBehaviour } from '../support/healthzServer';

describe('probeHttp (real local HTTP servers)', () => {
  const servers: HealthzServer[] = [];
  afterEach(async () => Promise.all(servers.splice(0).map((server) => server.close())));

  async function serve(behaviour: HealthzBehaviour): Promise<HealthzServer> {
    const server = await HealthzServer.start(behaviour);
    servers.push(server);
    return server;
  }

  it('reports the status, the response time and code-server\'s lastHeartbeat', async () => {
    const server = await serve({ answer: 'json', lastHeartbeat: 1_764_000_000_000, delayMs: 30 });
    const result = await probeHttp(`${server.url}healthz`, 2000);
    assert.equal(result.statusCode, 200);
    assert.equal(result.lastHeartbeat, 1_764_000_000_000);
    assert.equal(result.error, undefined);
    assert.ok(result.responseTimeMs >= 25 && result.responseTimeMs < 2000, `took ${result.responseTimeMs} ms`);
  });

  it('reports an error status as such, a hanging server as a timeout and a closed port as refused', async () => {
    const failing = await serve({ answer: 'json', status: 503 });
    const hanging = await serve({ answer: 'never' });
    const closed = await HealthzServer.start();
    await closed.close();
    const [error, timeout, refused] = await Promise.all([
      probeHttp(`${failing.url}healthz`, 2000),
      probeHttp(`${hanging.url}healthz`, 200),
      probeHttp(`${closed.url}healthz`, 2000),
    ]);
    assert.equal(error.statusCode, 503);
    assert.deepEqual([timeout.statusCode, timeout.error], [undefined, 'no answer within 0.2 s']);
    assert.ok(timeout.responseTimeMs >= 190);
    assert.deepEqual([refused.statusCode, refused.error], [undefined, 'connection refused']);
  });

  it('reads no heartbeat from an answer that is not code-server\'s, and stops buffering a huge one', async () => {
    const huge = http.createServer((_request, response) => response.end('x'.repeat(1024 * 1024)));
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    try {
      const result = await probeHttp(`http://127.0.0.1:${(huge.address() as AddressInfo).port}/healthz`, 2000);
      assert.equal(result.statusCode, 200);
      assert.equal(result.lastHeartbeat, undefined);
    } finally {
      huge.closeAllConnections();
      huge.close();
    }
  });
});
