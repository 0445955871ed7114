/**
 * What the tests of the front door and of the bearer gate share: a token verifier that needs no issuer,
 * the real gate and rate limiter built on it, a logger whose lines a test can read, and the front door
 * served on loopback with a stand-in for express behind it.
 */
import { type Server, createServer } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import { AuthError } from '../../src/auth/errors.js';
import { createGate } from '../../src/auth/gate.js';
import type { VerifiedToken } from '../../src/auth/index.js';
import type { Config } from '../../src/config/index.js';
import { type McpEntrance, createFrontDoor } from '../../src/mcp/front-door/index.js';
import { createRateLimiter } from '../../src/mcp/inbound/rate-limit.js';
import { createMemoryStore } from '../../src/state/memory.js';
import { type Logger, createLogger, silentLogger } from '../../src/telemetry/logger.js';
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

/** The auth module's verify needs an issuer; these tests are about what comes before it, so one token (`good`) is alice's. */
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
 * A memory store, metrics, the rate limiter (the limits of `config`, client IP the socket's address) and the
 * bearer gate (tokens checked with `verify`): what the front door's entrance takes.
 */
export function handlerGuards(
  config: Pick<Config, 'publicUrl' | 'scopes' | 'rateLimitPerUser' | 'rateLimitPerIp'>,
  verify: (token: string) => Promise<VerifiedToken> = verifyGoodToken,
) {
  const store = createMemoryStore({ logger: silentLogger() });
  const metrics = createMetrics();
  const clientIp = (req: { socket: { remoteAddress?: string } }) => req.socket.remoteAddress;
  const limiter = createRateLimiter({ config, store, metrics, clientIp });
  const gate = createGate({ config, verify, logger: silentLogger(), metrics });
  return {
    store,
    metrics,
    clientIp,
    rateLimitCheck: limiter.check,
    countChecked: limiter.countChecked,
    checkToken: gate.check,
    refuse: gate.refuse,
  };
}

/** A logger at `info` whose lines a test reads, parsed, from `lines`. */
export function loggedLines(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  });
  return { logger, lines };
}

/** What the stand-in for express answers: a status no route of the bridge uses, so a test sees express was reached. */
export const EXPRESS_STATUS = 299;

/**
 * A loopback server running the front door: the MCP paths to `entrance`, everything else to a stand-in for
 * express that answers EXPRESS_STATUS with the method and target it was given. Closed after the test that
 * started it (`running` is from `serversClosedAfterEach`); returns its URL.
 */
export function serveFrontDoor(
  running: Server[],
  entrance: McpEntrance,
  logger: Logger = silentLogger(),
): Promise<string> {
  const server = createServer(
    createFrontDoor(
      entrance,
      (req, res) => {
        res.writeHead(EXPRESS_STATUS, { 'Content-Type': 'text/plain' }).end(`express: ${req.method} ${req.url}`);
      },
      logger,
    ),
  );
  running.push(server);
  return listen(server);
}
