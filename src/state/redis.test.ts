import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/eventually.js';
import { startRedis, type TestRedis } from '../../test/helpers/redis.js';
import { silentLogger } from '../telemetry/logger.js';
import { StoreUnavailableError } from './errors.js';
import { createRedisStore } from './redis.js';
import type { Store } from './types.js';

let redis: TestRedis;
let a: Store;
let b: Store;
const opened: Store[] = [];

function open(keyPrefix = 'test:', options: { maxEventsPerStream?: number } = {}): Store {
  const store = createRedisStore({ url: redis.url, logger: silentLogger(), keyPrefix, ...options });
  opened.push(store);
  return store;
}

/** Collects messages, and resolves `next()` with the next one to arrive. */
function inbox() {
  const received: string[] = [];
  const waiting: ((m: string) => void)[] = [];
  return {
    received,
    handler: (message: string) => {
      received.push(message);
      waiting.shift()?.(message);
    },
    next: () => new Promise<string>((resolve) => waiting.push(resolve)),
  };
}

beforeAll(async () => {
  redis = await startRedis();
  a = open();
  b = open();
  await eventually(async () => (await a.health()).status === 'ok' && (await b.health()).status === 'ok');
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await redis?.stop();
});

describe('redis store shared by two instances', () => {
  it('shares keys with expiry', async () => {
    await a.kv.set('session', 'alice', 60);
    expect(await b.kv.get('session')).toBe('alice');
    await b.kv.delete('session');
    expect(await a.kv.get('session')).toBeUndefined();
    expect(await a.kv.getAndTouch('session', 60)).toBeUndefined();
    await a.kv.set('short', 'x', 0.05);
    await eventually(async () => (await b.kv.get('short')) === undefined);
  });

  it("refreshes a key's expiry as it reads it", async () => {
    await a.kv.set('idle', 'alice', 0.3);
    expect(await b.kv.getAndTouch('idle', 60)).toBe('alice');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await a.kv.get('idle')).toBe('alice');
  });

  it('routes a message published on one instance to the subscriber on the other, once', async () => {
    const onB = inbox();
    const onA = inbox();
    const stopB = await b.bus.subscribe('sse:1', onB.handler);
    const stopA = await a.bus.subscribe('sse:1', onA.handler);
    const arrivedB = onB.next();
    const arrivedA = onA.next();
    await a.bus.publish('sse:1', '{"jsonrpc":"2.0","id":1}');
    expect(await arrivedB).toBe('{"jsonrpc":"2.0","id":1}');
    expect(await arrivedA).toBe('{"jsonrpc":"2.0","id":1}');
    // A second message proves the first was not delivered twice to the publishing instance.
    const second = onA.next();
    await b.bus.publish('sse:1', 'two');
    expect(await second).toBe('two');
    expect(onA.received).toEqual(['{"jsonrpc":"2.0","id":1}', 'two']);
    await stopA();
    await stopB();
  });

  it('lets an instance resume a stream that another instance wrote', async () => {
    const first = await a.events.append('stream.1', 'one', 60);
    const second = await a.events.append('stream.1', 'two', 60);
    const third = await b.events.append('stream.1', 'three', 60);
    expect(await b.events.readAfter(first)).toEqual({
      streamId: 'stream.1',
      message: 'one',
      events: [
        { id: second, message: 'two' },
        { id: third, message: 'three' },
      ],
    });
    expect(await a.events.readAfter(third)).toEqual({ streamId: 'stream.1', message: 'three', events: [] });
    expect(await a.events.readAfter('stream.1.0-1')).toBeUndefined();
    expect(await a.events.readAfter('garbage')).toBeUndefined();
    await b.events.delete('stream.1');
    expect(await a.events.readAfter(second)).toBeUndefined();
  });

  it('keeps a stream to its newest events and to its ttl', async () => {
    const capped = open('capped:', { maxEventsPerStream: 2 });
    await eventually(async () => (await capped.health()).status === 'ok');
    const first = await capped.events.append('s', 'a', 60);
    const second = await capped.events.append('s', 'b', 60);
    await capped.events.append('s', 'c', 60);
    expect(await capped.events.readAfter(first)).toBeUndefined();
    expect((await capped.events.readAfter(second))?.events.map((event) => event.message)).toEqual(['c']);
    const old = await a.events.append('window', 'old', 0.2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const recent = await a.events.append('window', 'recent', 0.2);
    expect(await a.events.readAfter(old)).toBeUndefined();
    expect(await a.events.readAfter(recent)).toMatchObject({ message: 'recent', events: [] });
  });

  it('counts rate-limit hits across instances in one window', async () => {
    const first = await a.counters.hit('user:alice', 60_000);
    const second = await b.counters.hit('user:alice', 60_000);
    expect(first.count).toBe(1);
    expect(second.count).toBe(2);
    expect(second.resetMs).toBeGreaterThan(0);
    expect(second.resetMs).toBeLessThanOrEqual(60_000);
  });

  it('keeps deployments with different key prefixes apart', async () => {
    const other = open('other:');
    await eventually(async () => (await other.health()).status === 'ok');
    await a.kv.set('k', 'mine', 60);
    expect(await other.kv.get('k')).toBeUndefined();
    expect((await other.counters.hit('user:alice', 60_000)).count).toBe(1);
  });
});

describe('redis store when Redis goes away', () => {
  it('rejects fast, reports degraded, and recovers by itself after a restart', async () => {
    const onB = inbox();
    await b.bus.subscribe('after-restart', onB.handler);
    const ownInbox = inbox();
    await a.bus.subscribe('own', ownInbox.handler);

    await redis.stop();
    await eventually(async () => (await a.health()).status === 'degraded');
    const health = await a.health();
    expect(health).toMatchObject({ kind: 'redis', status: 'degraded' });
    expect(health.detail).toMatch(/redis/);
    await expect(a.kv.get('x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(a.counters.hit('user:bob', 60_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(a.events.append('s', 'm', 60)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(a.bus.publish('nobody-here', 'm')).rejects.toBeInstanceOf(StoreUnavailableError);
    // A stream held by this instance keeps getting its own messages.
    const own = ownInbox.next();
    await a.bus.publish('own', 'still here');
    expect(await own).toBe('still here');
    // A subscription made now works locally at once, and across instances once Redis is back.
    const lateInbox = inbox();
    await b.bus.subscribe('made-during-outage', lateInbox.handler);

    await redis.restart();
    await eventually(async () => (await a.health()).status === 'ok' && (await b.health()).status === 'ok');
    await a.kv.set('x', 'back', 60);
    expect(await b.kv.get('x')).toBe('back');
    // The subscriber connection re-subscribed on its own, also to the channel subscribed during the outage.
    for (const [channel, box] of [
      ['after-restart', onB],
      ['made-during-outage', lateInbox],
    ] as const) {
      await eventually(async () => {
        await a.bus.publish(channel, 'hello');
        await new Promise((resolve) => setTimeout(resolve, 50));
        return box.received.includes('hello');
      });
    }
  });
});

describe('redis store when Redis hangs', () => {
  it('answers every call within its deadline while Redis does not answer, and carries on after', async () => {
    redis.pause();
    try {
      await expect(a.kv.get('k')).rejects.toThrow(/redis did not answer within 500 ms/);
      await expect(a.counters.hit('user:carol', 60_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await a.health()).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/did not answer/) });
    } finally {
      redis.resume();
    }
    await eventually(async () => (await a.health()).status === 'ok');
    await a.kv.set('after-hang', 'ok', 60);
    expect(await b.kv.get('after-hang')).toBe('ok');
  });
});

describe('redis store started before Redis', () => {
  it('serves degraded, then connects by itself when Redis comes up', async () => {
    const late = await startRedis();
    await late.stop();
    const store = createRedisStore({ url: late.url, logger: silentLogger() });
    opened.push(store);
    try {
      await expect(store.kv.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect((await store.health()).status).toBe('degraded');
      await late.restart();
      await eventually(async () => (await store.health()).status === 'ok');
      await store.kv.set('k', 'v', 60);
      expect(await store.kv.get('k')).toBe('v');
    } finally {
      await late.stop();
    }
  });
});
