import { createServer } from 'node:http';
import { Pool } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALICE, countingVerify } from '../../test/helpers/gate-stand-in.js';
import { closeServer, listen } from '../../test/helpers/loopback.js';
import { AuthError } from './errors.js';
import type { VerifiedToken } from './verifier.js';
import { verifyOnce } from './verify-once.js';

describe('verifyOnce', () => {
  it('checks again for another request or another token', async () => {
    const { checked, verify } = countingVerify();
    const req = {};
    await expect(verifyOnce(req, 'forged', verify)).rejects.toThrow('bad token');
    await expect(verifyOnce({}, 'forged', verify)).rejects.toThrow('bad token');
    await expect(verifyOnce(req, 'good', verify)).resolves.toBe(ALICE);
    expect(checked).toEqual(['forged', 'forged', 'good']);
  });

  it('asks verify every time for a request without a connection', async () => {
    const { checked, verify } = countingVerify();
    const req = {};
    await verifyOnce(req, 'good', verify);
    await verifyOnce(req, 'good', verify);
    expect(checked).toEqual(['good', 'good']);
  });
});

describe('verifyOnce on a keep-alive connection', () => {
  const NOW = Date.parse('2026-11-26T12:00:00Z');
  /** When the tokens of `expiringVerify` expire, in epoch seconds: 60 s after NOW. */
  const EXPIRES_AT = NOW / 1000 + 60;
  /**
   * A verify that accepts "good" and "other" until EXPIRES_AT by the (fake) clock, as the verifier would, and
   * keeps the tokens it was asked to check.
   */
  function expiringVerify() {
    const checked: string[] = [];
    const verify = async (token: string): Promise<VerifiedToken> => {
      checked.push(token);
      if (token !== 'good' && token !== 'other') throw new AuthError('malformed', 'bad token');
      if (Date.now() >= EXPIRES_AT * 1000) throw new AuthError('expired', 'expired');
      return { ...ALICE, sub: token, expiresAt: EXPIRES_AT };
    };
    return { checked, verify };
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts the token it accepted on the same connection without asking verify again', async () => {
    const { checked, verify } = expiringVerify();
    const connection = {};
    const first = await verifyOnce({ socket: connection }, 'good', verify);
    const second = await verifyOnce({ socket: connection }, 'good', verify);
    expect(second).toBe(first);
    expect(second.sub).toBe('good');
    expect(checked).toEqual(['good']);
  });

  it('asks verify for another token on the same connection, and for the same token on another connection', async () => {
    const { checked, verify } = expiringVerify();
    const connection = {};
    await verifyOnce({ socket: connection }, 'good', verify);
    expect((await verifyOnce({ socket: connection }, 'other', verify)).sub).toBe('other');
    expect((await verifyOnce({ socket: {} }, 'other', verify)).sub).toBe('other');
    // The connection now remembers "other": "good" is asked about again.
    expect((await verifyOnce({ socket: connection }, 'good', verify)).sub).toBe('good');
    expect(checked).toEqual(['good', 'other', 'other', 'good']);
  });

  it('asks verify again once the accepted token has expired, and passes its refusal on', async () => {
    const { checked, verify } = expiringVerify();
    const connection = {};
    await verifyOnce({ socket: connection }, 'good', verify);
    vi.setSystemTime(NOW + 59_000);
    await verifyOnce({ socket: connection }, 'good', verify);
    expect(checked).toEqual(['good']);
    vi.setSystemTime(NOW + 60_000);
    await expect(verifyOnce({ socket: connection }, 'good', verify)).rejects.toThrow('expired');
    expect(checked).toEqual(['good', 'good']);
  });

  it('never remembers a refused token for the connection', async () => {
    const { checked, verify } = expiringVerify();
    const connection = {};
    await expect(verifyOnce({ socket: connection }, 'forged', verify)).rejects.toThrow('bad token');
    await expect(verifyOnce({ socket: connection }, 'forged', verify)).rejects.toThrow('bad token');
    expect(checked).toEqual(['forged', 'forged']);
  });

  it('serves the second request of a real keep-alive connection without verifying its token again', async () => {
    const { checked, verify } = expiringVerify();
    const server = createServer((req, res) => {
      verifyOnce(req, 'good', verify).then(
        (token) => res.end(token.sub),
        () => res.writeHead(401).end(),
      );
    });
    const url = await listen(server);
    // One connection: the second request goes on the connection the first one used.
    const pool = new Pool(url, { connections: 1 });
    try {
      const get = async () => (await pool.request({ method: 'GET', path: '/' })).body.text();
      expect(await get()).toBe('good');
      expect(await get()).toBe('good');
      expect(checked).toEqual(['good']);
    } finally {
      await pool.close();
      await closeServer(server);
    }
  });
});
