import { createServer } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ALICE, countingVerify } from '../../test/helpers/before-express.js';
import { closeServer, listen } from '../../test/helpers/loopback.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { AuthError } from './errors.js';
import { createGate } from './gate.js';
import { verifyOnce } from './verify-once.js';

describe('verifyOnce', () => {
  it('checks a refused token once per request and gives every handler the same refusal', async () => {
    const { checked, verify } = countingVerify();
    const req = {};
    const first = await verifyOnce(req, 'forged', verify).catch((error: unknown) => error);
    const second = await verifyOnce(req, 'forged', verify).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(AuthError);
    expect(second).toBe(first);
    expect(checked).toEqual(['forged']);
  });

  it('checks again for another request or another token', async () => {
    const { checked, verify } = countingVerify();
    const req = {};
    await expect(verifyOnce(req, 'forged', verify)).rejects.toThrow('bad token');
    await expect(verifyOnce({}, 'forged', verify)).rejects.toThrow('bad token');
    await expect(verifyOnce(req, 'good', verify)).resolves.toBe(ALICE);
    expect(checked).toEqual(['forged', 'forged', 'good']);
  });

  it('does not remember an accepted token', async () => {
    const { checked, verify } = countingVerify();
    const req = {};
    await verifyOnce(req, 'good', verify);
    await verifyOnce(req, 'good', verify);
    expect(checked).toEqual(['good', 'good']);
  });

  it('lets the bearer gate answer a token a handler before it refused, without checking it again', async () => {
    const { checked, verify } = countingVerify();
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
    const server = createServer(app);
    const url = await listen(server);
    try {
      const response = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer forged' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
      expect(checked).toEqual(['forged']);
    } finally {
      await closeServer(server);
    }
  });
});
