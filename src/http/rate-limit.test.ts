import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../state/memory.js';
import { createRedisStore } from '../state/redis.js';
import type { Store } from '../state/types.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';

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
 * An app shaped like the bridge: the limiter before auth (per IP), then a stand-in for the auth
 * middleware that sets `res.locals.auth` from a test header, then the limiter again (per user).
 */
async function serve(limiter: RateLimiter): Promise<string> {
  const app = express();
  app.use(limiter.middleware);
  app.get('/open', (_req, res) => {
    res.json({ ok: true });
  });
  app.get(
    '/mcp',
    (req, res, next) => {
      res.locals['auth'] = { sub: req.header('x-test-sub') };
      next();
    },
    limiter.middleware,
    (_req, res) => {
      res.json({ ok: true });
    },
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function limiterFor(store: Store, metrics: Metrics, perUser = 3, perIp = 2): RateLimiter {
  return createRateLimiter({ config: { rateLimitPerUser: perUser, rateLimitPerIp: perIp }, store, metrics });
}

async function counterValue(metrics: Metrics, name: string, kind: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => v.labels['kind'] === kind)?.value ?? 0;
}

const asUser = (sub: string) => ({ headers: { authorization: 'Bearer x', 'x-test-sub': sub } });

describe('rate limit middleware', () => {
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

describe('rate limit inside MCP', () => {
  it('answers a tool error with retry_after_seconds once the user is over the limit', async () => {
    const limiter = limiterFor(memoryStore(), createMetrics(), 1);
    expect(await limiter.toolCallLimit('alice')).toBeUndefined();
    const result = await limiter.toolCallLimit('alice');
    expect(result?.isError).toBe(true);
    expect(result?.structuredContent).toMatchObject({ error: 'rate_limited', limit: 1 });
    const retryAfter = (result?.structuredContent as { retry_after_seconds: number } | undefined)?.retry_after_seconds;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(result?.content).toEqual([
      {
        type: 'text',
        text: `Rate limit reached for this user: 1 requests per minute. Retry in ${retryAfter} s.`,
      },
    ]);
  });
});
