/**
 * What the bridge writes to its shared store, and what it answers when the store is down (issue 25,
 * findings 4 and 10).
 *
 * Finding 4: a legacy SSE stream held by instance A, its tool call POSTed to instance B. Every write the
 * two instances hand to the store interface (the only way anything reaches Redis, src/state/redis.ts) is
 * recorded on a shared memory store; on a real redis-server, every command (MONITOR), every message on
 * any channel (PSUBSCRIBE *) and every key and value left afterwards. The caller's token must be in none
 * of them, nor its signature.
 *
 * Finding 10: `initialize` on a bridge whose Redis refuses connections gets a retryable 503 that names no
 * part of the infrastructure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/net.js';
import { type TestRedis, startRedis } from '../helpers/redis.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { createMemoryStore } from '../../src/state/memory.js';
import type { Store } from '../../src/state/types.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordFigures } from './support/figures.js';
import { openLegacySession, postJsonRpc } from './support/raw-mcp.js';

/** Everything handed to a store, as written. */
interface Written {
  kind: 'kv' | 'publish' | 'event' | 'counter';
  name: string;
  value: string;
}

/** A real store that also records every write: what a MONITOR on Redis would show. */
function recording(store: Store, written: Written[]): Store {
  const { kv, bus, events, counters } = store;
  return {
    ...store,
    kind: store.kind,
    health: () => store.health(),
    close: () => store.close(),
    counters: {
      hit: (key, windowMs) => {
        written.push({ kind: 'counter', name: key, value: '' });
        return counters.hit(key, windowMs);
      },
    },
    kv: {
      get: (key) => kv.get(key),
      delete: (key) => kv.delete(key),
      getAndTouch: (key, ttl) => kv.getAndTouch(key, ttl),
      set: (key, value, ttl) => {
        written.push({ kind: 'kv', name: key, value });
        return kv.set(key, value, ttl);
      },
    },
    bus: {
      subscribe: (channel, onMessage) => bus.subscribe(channel, onMessage),
      publish: (channel, message) => {
        written.push({ kind: 'publish', name: channel, value: message });
        return bus.publish(channel, message);
      },
    },
    events: {
      readAfter: (id) => events.readAfter(id),
      delete: (id) => events.delete(id),
      append: (streamId, message, ttl) => {
        written.push({ kind: 'event', name: streamId, value: message });
        return events.append(streamId, message, ttl);
      },
    },
  };
}

describe('no secret reaches the shared store', () => {
  let stack: Stack;
  const written: Written[] = [];

  beforeAll(async () => {
    const store = recording(createMemoryStore({ logger: createLogger({ level: 'silent' }) }), written);
    stack = await startStack({ store });
  });
  afterAll(() => stack?.close());

  it('answers a legacy SSE call POSTed to another instance without publishing the caller’s token', async () => {
    const token = await stack.tokenFor('alice');
    const other = await stack.startInstance();
    const session = await openLegacySession(stack.url, token);
    try {
      const company = stack.sandbox.users['alice']!.companyUuids[0]!;
      const url = `${other.url}/messages?sessionId=${session.id}`;
      const post = async (message: unknown) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(message),
        });
        await response.text();
        return response.status;
      };
      expect(
        await post({
          jsonrpc: '2.0',
          id: 'routed',
          method: 'tools/call',
          params: { name: 'list_companies', arguments: {} },
        }),
      ).toBe(202);
      const answer = await session.stream.waitFor((event) => event.data.includes('"routed"'), 10_000);
      expect(answer.data, 'the answer reached the stream on the other instance').toContain(company);

      const signature = token.split('.')[2]!;
      const needles = [token, signature, signature.slice(0, 24)];
      const hits = written.filter((entry) =>
        needles.some((needle) => entry.value.includes(needle) || entry.name.includes(needle)),
      );
      recordFigures('shared-state-secrets', {
        writes: written.length,
        published: written.filter((entry) => entry.kind === 'publish').length,
        bytesWritten: written.reduce((sum, entry) => sum + entry.value.length, 0),
        writesHoldingTheToken: hits.length,
      });
      expect(
        written.some((entry) => entry.kind === 'publish' && entry.value.includes(company)),
        'the answer crossed the bus',
      ).toBe(true);
      expect(hits.map((hit) => `${hit.kind} ${hit.name}: ${hit.value.slice(0, 80)}`)).toEqual([]);
    } finally {
      session.close();
    }
  });
});

/** Every value Redis holds under `key`, whatever its type, as text. */
async function valuesOf(redis: Redis, key: string): Promise<unknown[]> {
  switch (await redis.type(key)) {
    case 'string':
      return [await redis.get(key)];
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'hash':
      return Object.entries(await redis.hgetall(key)).flat();
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, '0', '-1');
    case 'stream':
      return (await redis.xrange(key, '-', '+')).flat(3);
    default:
      return [];
  }
}

describe('no secret reaches a real Redis', () => {
  let redis: TestRedis;
  let stack: Stack;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await stack?.close();
    await redis?.stop();
  });

  it('writes no token to any key, value or channel while a legacy SSE call crosses instances', async () => {
    // Everything Redis is told (MONITOR) and everything published on any channel (PSUBSCRIBE *).
    const commands: string[] = [];
    const published: string[] = [];
    const reader = new Redis(redis.url);
    const watcher = new Redis(redis.url);
    clients.push(reader, watcher);
    const monitored = new Redis(redis.url);
    const monitor = await monitored.monitor();
    clients.push(monitored, monitor);
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.join(' ')));
    watcher.on('pmessage', (_pattern: string, channel: string, message: string) =>
      published.push(`${channel} ${message}`),
    );
    await watcher.psubscribe('*');

    const token = await stack.tokenFor('alice');
    const other = await stack.startInstance({ REDIS_URL: redis.url });
    const session = await openLegacySession(stack.url, token);
    try {
      const company = stack.sandbox.users['alice']!.companyUuids[0]!;
      const response = await fetch(`${other.url}/messages?sessionId=${session.id}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 'via-redis',
          method: 'tools/call',
          params: { name: 'list_companies', arguments: {} },
        }),
      });
      expect(response.status).toBe(202);
      const answer = await session.stream.waitFor((event) => event.data.includes('"via-redis"'), 10_000);
      expect(answer.data).toContain(company);

      // What Redis holds afterwards, key by key, whatever the type.
      const stored: string[] = [];
      for (const key of await reader.keys('*')) {
        const values = await valuesOf(reader, key);
        stored.push(`${key} ${values.join(' ')}`);
      }
      const signature = token.split('.')[2]!;
      const holding = (text: string) => text.includes(token) || text.includes(signature.slice(0, 24));
      recordFigures('redis-secrets', {
        commands: commands.length,
        published: published.length,
        keys: stored.length,
        holdingTheToken: [...commands, ...published, ...stored].filter(holding).length,
      });
      expect(
        published.some((message) => message.includes(company)),
        'the answer crossed Redis',
      ).toBe(true);
      expect(commands.filter(holding).map((command) => command.slice(0, 80))).toEqual([]);
      expect(published.filter(holding).map((message) => message.slice(0, 80))).toEqual([]);
      expect(stored.filter(holding).map((entry) => entry.slice(0, 80))).toEqual([]);
      expect(commands.length).toBeGreaterThan(0);
    } finally {
      session.close();
    }
  });
});

describe('cancelling a legacy SSE call that runs on another instance', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ store: createMemoryStore({ logger: createLogger({ level: 'silent' }) }) });
  });
  afterAll(() => stack?.close());

  it('stops the call where it runs when notifications/cancelled reaches the stream’s instance', async () => {
    const token = await stack.tokenFor('alice');
    const other = await stack.startInstance();
    const session = await openLegacySession(stack.url, token);
    const post = async (base: string, message: unknown) => {
      const response = await fetch(`${base}/messages?sessionId=${session.id}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(message),
      });
      await response.text();
      return response.status;
    };
    try {
      stack.sandbox.faults.add({ route: 'listCompanies', kind: 'latency', latencyMs: 2_000, times: 2 });
      const call = (id: string) => ({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'list_companies', arguments: {} },
      });
      // The call runs on the instance the POST reached; its cancellation goes to the stream's instance.
      expect(await post(other.url, call('cancelled'))).toBe(202);
      expect(await post(other.url, call('kept'))).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'cancelled' } };
      expect(await post(stack.url, cancel)).toBe(202);
      await session.stream.waitFor((event) => event.data.includes('"kept"'), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answers = session.stream.events.filter((event) => event.event === 'message').map((event) => event.data);
      recordFigures('legacy-cancel-across-instances', { answers: answers.length });
      expect(
        answers.some((data) => data.includes('"cancelled"')),
        'a cancelled call sends no answer',
      ).toBe(false);
    } finally {
      session.close();
    }
  });
});

describe('initialize while the store is down', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Nothing listens on this port: every Redis command fails at once.
    stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
  });
  afterAll(() => stack?.close());

  it('answers 503 with Retry-After, naming no part of the infrastructure', async () => {
    const token = await stack.tokenFor('alice');
    const answer = await postJsonRpc(
      `${stack.url}/mcp`,
      { Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': '2025-11-25' },
      {
        jsonrpc: '2.0',
        id: 'init',
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      },
    );
    recordFigures('initialize-store-down', {
      status: answer.status,
      retryAfter: answer.headers.get('retry-after'),
      body: answer.body.slice(0, 300),
    });
    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.body).not.toMatch(/ECONNREFUSED|redis|StoreUnavailable|127\.0\.0\.1/i);
    const error = (answer.messages[0] as { id: unknown; error: { code: number; message: string } }).error;
    expect(error.message).toMatch(/retry/i);
    const health = (await (await fetch(`${stack.url}/healthz`)).json()) as { sessions: { active: number } };
    expect(health.sessions.active, 'a session that could not be stored is not counted').toBe(0);
  });
});
