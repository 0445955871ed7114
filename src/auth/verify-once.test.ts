import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { closeServer } from '../../test/helpers/loopback.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { AuthError } from './errors.js';
import { createGate } from './gate.js';
import type { VerifiedToken } from './verifier.js';
import { verifyOnce } from './verify-once.js';

const alice: VerifiedToken = {
  sub: 'alice',
  scopes: [],
  audience: [],
  issuer: 'x',
  expiresAt: 0,
  issuedAt: 0,
  tokenHash: 'h',
};

/** A verify that accepts `good` and counts every call. */
function countingVerify() {
  const calls: string[] = [];
  const verify = async (token: string) => {
    calls.push(token);
    if (token !== 'good') throw new AuthError('bad_signature', 'the signature does not match');
    return alice;
  };
  return { calls, verify };
}

describe('verifyOnce', () => {
  it('checks a refused token once per request and gives every handler the same refusal', async () => {
    const { calls, verify } = countingVerify();
    const req = {};
    const first = await verifyOnce(req, 'forged', verify).catch((error: unknown) => error);
    const second = await verifyOnce(req, 'forged', verify).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(AuthError);
    expect(second).toBe(first);
    expect(calls).toEqual(['forged']);
  });

  it('checks again for another request or another token', async () => {
    const { calls, verify } = countingVerify();
    const req = {};
    await expect(verifyOnce(req, 'forged', verify)).rejects.toThrow('the signature does not match');
    await expect(verifyOnce({}, 'forged', verify)).rejects.toThrow('the signature does not match');
    await expect(verifyOnce(req, 'good', verify)).resolves.toBe(alice);
    expect(calls).toEqual(['forged', 'forged', 'good']);
  });

  it('does not remember an accepted token', async () => {
    const { calls, verify } = countingVerify();
    const req = {};
    await verifyOnce(req, 'good', verify);
    await verifyOnce(req, 'good', verify);
    expect(calls).toEqual(['good', 'good']);
  });

  it('lets the bearer gate answer a token a handler before it refused, without checking it again', async () => {
    const { calls, verify } = countingVerify();
    const gate = createGate({
      config: { publicUrl: 'http://127.0.0.1', scopes: [] },
      verify,
      logger: silentLogger(),
      metrics: createMetrics(),
    });
    const app = express();
    // What the handlers served before express do with a token that does not verify: try it, then pass it on.
    app.use((req, _res, next) => {
      verifyOnce(req, 'forged', verify).catch(() => next());
    });
    app.get('/sse', gate('sse'), (_req, res) => res.status(200).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/sse`, { headers: { Authorization: 'Bearer forged' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
      expect(calls).toEqual(['forged']);
    } finally {
      await closeServer(server);
    }
  });
});
