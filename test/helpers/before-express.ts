/** What the tests of the handlers served before express (GET /sse, the POST lane) share. */
import type { IncomingMessage, Server } from 'node:http';
import { afterEach } from 'vitest';
import { AuthError } from '../../src/auth/errors.js';
import { type VerifiedToken, extractBearerToken, verifyOnce } from '../../src/auth/index.js';
import { closeServer } from './loopback.js';

/** The servers a test file starts, each closed after the test that started it. */
export function serversClosedAfterEach(): Server[] {
  const running: Server[] = [];
  afterEach(async () => {
    for (const server of running.splice(0)) await closeServer(server);
  });
  return running;
}

/** The auth module's verify needs an issuer; these tests are about the handler, so one token (`good`) is alice's. */
export async function verifyGoodToken(token: string): Promise<VerifiedToken> {
  if (token !== 'good') throw new AuthError('malformed', 'bad token');
  return { sub: 'alice', scopes: [], audience: [], issuer: 'x', expiresAt: 0, issuedAt: 0, tokenHash: 'h' };
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

/** What express's bearer gate does first with a request a handler left to it: check its header token, through `verifyOnce`. */
export async function gateCheck(
  req: IncomingMessage,
  verify: (token: string) => Promise<VerifiedToken>,
): Promise<void> {
  try {
    await verifyOnce(req, extractBearerToken(req), verify);
  } catch {
    // refused: express would answer 401; these stand-ins answer 299 for everything left to them
  }
}
