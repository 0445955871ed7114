import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LocalIssuer, startLocalIssuer } from '../../test/integration/auth/local-issuer.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { AuthError } from './errors.js';
import { KeyStore } from './jwks.js';

const running: { issuer: LocalIssuer; keys: KeyStore }[] = [];
afterEach(async () => {
  for (const { issuer, keys } of running.splice(0)) {
    keys.close();
    await issuer.close();
  }
});

/** A key store on a fresh issuer, with production cooldowns (1 s for a new kid, 30 s for one looked for). */
async function started(): Promise<{ issuer: LocalIssuer; keys: KeyStore }> {
  const issuer = await startLocalIssuer();
  const keys = new KeyStore({
    jwksUri: `${issuer.issuer}/.well-known/jwks.json`,
    fetch,
    logger: silentLogger(),
    metrics: createMetrics(),
  });
  running.push({ issuer, keys });
  await keys.start();
  return { issuer, keys };
}

async function headerOfNewKey(issuer: LocalIssuer) {
  const kid = await issuer.keys.rotate();
  return decodeProtectedHeader(await issuer.issueToken({ kid }));
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof AuthError ? error.code : undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyStore', () => {
  it('answers jwks_unavailable (503), not unknown_kid, for a new key while the key set cannot be fetched', async () => {
    const { issuer, keys } = await started();
    const header = await headerOfNewKey(issuer);
    issuer.misbehave.set({ jwksDown: true });
    await pause(1_100);
    expect(await codeOf(keys.resolve(header))).toBe('jwks_unavailable');
    // Back up: the kid was not marked as looked for, so the next request refetches at once.
    issuer.misbehave.set({ jwksDown: false });
    await pause(1_100);
    await expect(keys.resolve(header)).resolves.toBeDefined();
  });

  it('does not hold a kid first seen just after an unrelated fetch to the long cooldown', async () => {
    // The store's clock stands still until moved: "just after" must not depend on this machine's load.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { issuer, keys } = await started();
      // Within a second of the start's fetch: no refetch yet, so the key is unknown for now...
      const header = await headerOfNewKey(issuer);
      expect(await codeOf(keys.resolve(header))).toBe('unknown_kid');
      // ...and found by the fetch its next request makes a second later, not 30 s later.
      vi.setSystemTime(Date.now() + 1_100);
      await expect(keys.resolve(header)).resolves.toBeDefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds a kid the fetched key set lacks to the long cooldown', async () => {
    const { issuer, keys } = await started();
    const header = decodeProtectedHeader(await issuer.issueToken({ kid: 'never-published' }));
    await pause(1_100);
    const before = issuer.jwksRequests;
    expect(await codeOf(keys.resolve(header))).toBe('unknown_kid');
    await pause(1_100);
    expect(await codeOf(keys.resolve(header))).toBe('unknown_kid');
    expect(issuer.jwksRequests - before).toBe(1);
  });
});
