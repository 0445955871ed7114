/** What the tests of the handlers served before express (GET /sse, the POST lane) share. */
import type { Server } from 'node:http';
import { afterEach } from 'vitest';
import { AuthError } from '../../src/auth/errors.js';
import type { VerifiedToken } from '../../src/auth/index.js';
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
