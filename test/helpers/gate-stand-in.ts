/** What the tests of the front door's handlers (GET /sse, POST) share. */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { afterEach } from 'vitest';
import { AuthError } from '../../src/auth/errors.js';
import { createGate } from '../../src/auth/gate.js';
import type { VerifiedToken } from '../../src/auth/index.js';
import { createRateLimiter } from '../../src/mcp/inbound/rate-limit.js';
import { createMemoryStore } from '../../src/state/memory.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { closeServer, listen } from './loopback.js';

/** The servers a test file starts, each closed after the test that started it. */
export function serversClosedAfterEach(): Server[] {
  const running: Server[] = [];
  afterEach(async () => {
    for (const server of running.splice(0)) await closeServer(server);
  });
  return running;
}

/** What `verifyGoodToken` accepts `good` as. */
export const ALICE: VerifiedToken = {
  sub: 'alice',
  scopes: [],
  audience: [],
  issuer: 'x',
  expiresAt: 0,
  issuedAt: 0,
  tokenHash: 'h',
};

/** The auth module's verify needs an issuer; these tests are about the handler, so one token (`good`) is alice's. */
export async function verifyGoodToken(token: string): Promise<VerifiedToken> {
  if (token !== 'good') throw new AuthError('malformed', 'bad token');
  return ALICE;
}

/** `verifyGoodToken`, keeping the tokens it was asked to check. */
export function countingVerify() {
  const checked: string[] = [];
  const verify = (token: string) => {
    checked.push(token);
    return verifyGoodToken(token);
  };
  return { checked, verify };
}

/**
 * A memory store, metrics, the rate limiter (per user `ratePerUser`, per IP off) and the bearer gate
 * (tokens checked with `verify`) that a handler served before express takes.
 */
export function handlerGuards(ratePerUser = 0, verify = verifyGoodToken) {
  const store = createMemoryStore({ logger: silentLogger() });
  const metrics = createMetrics();
  const limiter = createRateLimiter({
    config: { rateLimitPerUser: ratePerUser, rateLimitPerIp: 0 },
    store,
    metrics,
    clientIp: (req) => req.socket.remoteAddress,
  });
  const gate = createGate({
    config: { publicUrl: 'http://127.0.0.1', scopes: undefined },
    verify,
    logger: silentLogger(),
    metrics,
  });
  return {
    store,
    metrics,
    rateLimit: limiter.check,
    admit: limiter.admit,
    checkToken: gate.check,
    refuse: gate.refuse,
  };
}

/**
 * A loopback server with `front` (a handler served before express) first; what it leaves goes to
 * `express`, a stand-in for the app. Closed after the test that started it (`running` is from
 * `serversClosedAfterEach`); returns its URL.
 */
export function serveBeforeExpress(
  running: Server[],
  front: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  express: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<string> {
  const server = createServer((req, res) => {
    void front(req, res).then(async (served) => {
      if (!served) await express(req, res);
    });
  });
  running.push(server);
  return listen(server);
}
