import { createServer } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { countingVerify } from '../../test/helpers/before-express.js';
import { closeServer, listen } from '../../test/helpers/loopback.js';
import { createGate } from '../auth/gate.js';
import { loadConfig } from '../config/index.js';
import { createMemoryStore } from '../state/memory.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { bodyErrors, jsonBody } from './inbound/body.js';
import { applyRateLimit, createRateLimiter } from './inbound/rate-limit.js';
import { createMcpRoutes } from './routes.js';

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

/** The MCP routes mounted in express with the real gate and limiter; `verify` counts the tokens it checks. */
async function serveRoutes(verify: ReturnType<typeof countingVerify>['verify']): Promise<string> {
  const config = loadConfig({ MCP_PUBLIC_URL: 'http://127.0.0.1', MCP_RATE_LIMIT_PER_IP: '2' });
  const logger = silentLogger();
  const metrics = createMetrics();
  const store = createMemoryStore({ logger });
  const clientIp = (req: { socket: { remoteAddress?: string } }) => req.socket.remoteAddress;
  const gate = createGate({ config, verify, logger, metrics });
  const limiter = createRateLimiter({ config, store, metrics, clientIp });
  const routes = createMcpRoutes({
    build: () => {
      throw new Error('no request in these tests gets past the gate');
    },
    config,
    store,
    metrics,
    logger,
    toolsets: [],
    guards: {
      parseBody: [...jsonBody(config.maxBodyBytes), bodyErrors],
      checkToken: gate.check,
      refuse: gate.refuse,
      admit: limiter.admit,
      rateLimitCheck: limiter.check,
      applyRateLimit,
      clientIp,
    },
  });
  const app = express();
  app.use(routes.router);
  const server = createServer(app);
  closing.push(async () => {
    await routes.close();
    await closeServer(server);
    await store.close();
  });
  return listen(server);
}

describe('the MCP routes in express', () => {
  it('verify a refused token once per request while counting it per client IP', async () => {
    const { checked, verify } = countingVerify();
    const url = await serveRoutes(verify);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url}/mcp`, {
        headers: { Authorization: 'Bearer forged', 'Mcp-Session-Id': 'abc' },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 429]);
    expect(checked).toEqual(['forged', 'forged', 'forged']);
  });
});
