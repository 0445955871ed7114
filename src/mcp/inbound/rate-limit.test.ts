import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../state/memory.js';
import { createRedisStore } from '../../state/redis.js';
import type { Store } from '../../state/types.js';
import { silentLogger } from '../../telemetry/logger.js';
import { createMetrics, type Metrics } from '../../telemetry/metrics.js';
import { ALICE, verifyGoodToken } from '../../../test/helpers/gate-stand-in.js';
import { AuthError } from '../../auth/errors.js';
import { createGate } from '../../auth/gate.js';
import type { VerifiedToken } from '../../auth/index.js';
import { applyRateLimit, createRateLimiter, type RateLimiter } from './rate-limit.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function memoryStore(): Store {
  const store = createMemoryStore({ logger: silentLogger() });
  cleanups.push(() => store.close());
  return store;
}

/**
 * `user-<sub>` verifies as that user; `keys-down` meets an issuer whose keys cannot be fetched; `good` is
 * alice's; anything else is refused.
 */
async function verifyTestToken(token: string): Promise<VerifiedToken> {
  if (token === 'keys-down') throw new AuthError('jwks_unavailable', 'keys could not be fetched');
  if (token.startsWith('user-')) return { ...ALICE, sub: token.slice('user-'.length) };
  return verifyGoodToken(token);
}

/**
 * An app shaped like the bridge's MCP routes: the real bearer gate checks the token, then the limiter
 * counts the outcome. The gate's refusals are not answered here (every route lets them through), so
 * what a test sees is the limiter's answer alone.
 */
async function serve(limiter: RateLimiter): Promise<string> {
  const gate = createGate({
    config: { publicUrl: 'http://127.0.0.1', scopes: undefined },
    verify: verifyTestToken,
    logger: silentLogger(),
    metrics: createMetrics(),
  });
  const app = express();
  app.use(async (req, res, next) => {
    const decision = await limiter.countChecked(req, await gate.check(req));
    if (!decision || applyRateLimit(res, decision)) next();
  });
  app.get(['/open', '/mcp'], (_req, res) => {
    res.json({ ok: true });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function limiterFor(store: Store, metrics: Metrics, perUser = 3, perIp = 2): RateLimiter {
  return createRateLimiter({
    config: { rateLimitPerUser: perUser, rateLimitPerIp: perIp },
    store,
    metrics,
    clientIp: (req) => req.socket.remoteAddress,
  });
}

async function counterValue(metrics: Metrics, name: string, kind: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => v.labels['kind'] === kind)?.value ?? 0;
}

const asUser = (sub: string) => ({ headers: { authorization: `Bearer user-${sub}` } });
const withAuthorization = (authorization: string) => ({ headers: { authorization } });

describe('rate limit of requests the gate checked', () => {
  it('limits unauthenticated requests per client IP with 429, Retry-After and RateLimit headers', async () => {
    const metrics = createMetrics();
    const base = await serve(limiterFor(memoryStore(), metrics));
    const first = await fetch(`${base}/open`);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect(first.headers.get('ratelimit-policy')).toBe('2;w=60');
    expect((await fetch(`${base}/open`)).status).toBe(200);
    const refused = await fetch(`${base}/open`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-reset')).toBe(String(retryAfter));
    expect(await refused.json()).toEqual({
      error: 'rate_limited',
      error_description: `Rate limit reached for this client address: 2 requests per minute. Retry in ${retryAfter} s.`,
      retry_after_seconds: retryAfter,
    });
    expect(await counterValue(metrics, 'neonpanel_mcp_rate_limited_total', 'ip')).toBe(1);
  });

  it('counts authenticated requests per user, not per IP, each user on their own', async () => {
    const metrics = createMetrics();
    const base = await serve(limiterFor(memoryStore(), metrics));
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/mcp`, asUser('alice'))).status).toBe(200);
    const refused = await fetch(`${base}/mcp`, asUser('alice'));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error_description: string }).error_description).toMatch(/for this user: 3/);
    expect((await fetch(`${base}/mcp`, asUser('bob'))).status).toBe(200);
    // The per-IP limit (2) never saw these requests.
    expect((await fetch(`${base}/open`)).status).toBe(200);
    expect(await counterValue(metrics, 'neonpanel_mcp_rate_limited_total', 'user')).toBe(1);
  });

  it('counts refused tokens per client IP, whatever the Authorization header holds', async () => {
    const metrics = createMetrics();
    const base = await serve(limiterFor(memoryStore(), metrics));
    const statuses: number[] = [];
    for (const header of ['Bearer x.y.z', 'Foo bar', 'Bearer forged', 'Bearer x.y.z']) {
      statuses.push((await fetch(`${base}/open`, withAuthorization(header))).status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    // A token that verifies is not held back by its address's limit: it counts per user.
    expect((await fetch(`${base}/mcp`, asUser('alice'))).status).toBe(200);
    expect(await counterValue(metrics, 'neonpanel_mcp_rate_limited_total', 'ip')).toBe(2);
  });

  it('does not count a token that could not be checked for want of the issuer keys', async () => {
    const base = await serve(limiterFor(memoryStore(), createMetrics(), 3, 1));
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${base}/open`, withAuthorization('Bearer keys-down'))).status).toBe(200);
    expect((await fetch(`${base}/open`)).status).toBe(200);
    expect((await fetch(`${base}/open`)).status).toBe(429);
  });

  it('shares counts between instances that share a store', async () => {
    const store = memoryStore();
    const a = await serve(limiterFor(store, createMetrics()));
    const b = await serve(limiterFor(store, createMetrics()));
    expect((await fetch(`${a}/mcp`, asUser('alice'))).status).toBe(200);
    expect((await fetch(`${b}/mcp`, asUser('alice'))).status).toBe(200);
    expect((await fetch(`${a}/mcp`, asUser('alice'))).status).toBe(200);
    expect((await fetch(`${b}/mcp`, asUser('alice'))).status).toBe(429);
  });

  it('sets no headers and refuses nothing when the limits are off', async () => {
    const base = await serve(limiterFor(memoryStore(), createMetrics(), 0, 0));
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/open`);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('fails open when the store is down, and counts what it let through unchecked', async () => {
    const store = createRedisStore({ url: 'redis://127.0.0.1:1', logger: silentLogger() });
    cleanups.push(() => store.close());
    const metrics = createMetrics();
    const base = await serve(limiterFor(store, metrics, 1, 1));
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/mcp`, asUser('alice'))).status).toBe(200);
    expect((await fetch(`${base}/open`)).status).toBe(200);
    expect(await counterValue(metrics, 'neonpanel_mcp_rate_limit_unchecked_total', 'user')).toBe(3);
    expect(await counterValue(metrics, 'neonpanel_mcp_rate_limit_unchecked_total', 'ip')).toBe(1);
  });
});
