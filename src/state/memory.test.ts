import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../telemetry/logger.js';
import { createMemoryStore, type MemoryStore } from './memory.js';

let clock = 1_000_000;
let store: MemoryStore;

function open(options: { maxEventsPerStream?: number; sweepIntervalMs?: number } = {}): MemoryStore {
  clock = 1_000_000;
  store = createMemoryStore({ logger: silentLogger(), now: () => clock, ...options });
  return store;
}

afterEach(() => store?.close());

describe('memory store: kv', () => {
  it('returns what was set until it expires, and getAndTouch extends the expiry', async () => {
    const { kv } = open();
    await kv.set('a', '1', 10);
    expect(await kv.get('a')).toBe('1');
    clock += 9_000;
    expect(await kv.getAndTouch('a', 10)).toBe('1');
    clock += 9_000;
    expect(await kv.get('a')).toBe('1');
    clock += 1_000;
    expect(await kv.get('a')).toBeUndefined();
    expect(await kv.getAndTouch('a', 10)).toBeUndefined();
  });

  it('deletes, and refuses a ttl that would keep a key forever', async () => {
    const { kv } = open();
    await kv.set('a', '1', 10);
    await kv.delete('a');
    expect(await kv.get('a')).toBeUndefined();
    await expect(kv.set('a', '1', 0)).rejects.toThrow(/ttlSeconds must be a positive number/);
    await expect(kv.set('a', '1', Number.POSITIVE_INFINITY)).rejects.toThrow(/ttlSeconds/);
  });
});

describe('memory store: bus', () => {
  it('delivers in order to every subscriber of the channel only, until it unsubscribes', async () => {
    const { bus } = open();
    const a: string[] = [];
    const b: string[] = [];
    const other: string[] = [];
    const stopA = await bus.subscribe('s1', (m) => a.push(m));
    await bus.subscribe('s1', (m) => b.push(m));
    await bus.subscribe('s2', (m) => other.push(m));
    await bus.publish('s1', 'one');
    await bus.publish('s1', 'two');
    await new Promise((resolve) => setImmediate(resolve));
    expect(a).toEqual(['one', 'two']);
    expect(b).toEqual(['one', 'two']);
    expect(other).toEqual([]);
    await stopA();
    await bus.publish('s1', 'three');
    await new Promise((resolve) => setImmediate(resolve));
    expect(a).toEqual(['one', 'two']);
    expect(b).toEqual(['one', 'two', 'three']);
  });

  it('keeps delivering to others when one handler throws', async () => {
    const { bus } = open();
    const got: string[] = [];
    await bus.subscribe('c', () => {
      throw new Error('boom');
    });
    await bus.subscribe('c', (m) => got.push(m));
    await bus.publish('c', 'x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(['x']);
  });
});

describe('memory store: event log', () => {
  it('replays the events after a given id, in order, naming the stream', async () => {
    const { events } = open();
    const first = await events.append('stream-1', 'a', 60);
    const second = await events.append('stream-1', 'b', 60);
    await events.append('stream.with.dots', 'other', 60);
    const third = await events.append('stream-1', 'c', 60);
    expect(new Set([first, second, third]).size).toBe(3);
    expect(await events.readAfter(first)).toEqual({
      streamId: 'stream-1',
      message: 'a',
      events: [
        { id: second, message: 'b' },
        { id: third, message: 'c' },
      ],
    });
    expect(await events.readAfter(third)).toEqual({ streamId: 'stream-1', message: 'c', events: [] });
  });

  it('finds streams whose id contains dots', async () => {
    const { events } = open();
    const id = await events.append('a.b.c', 'x', 60);
    const next = await events.append('a.b.c', 'y', 60);
    expect(await events.readAfter(id)).toEqual({
      streamId: 'a.b.c',
      message: 'x',
      events: [{ id: next, message: 'y' }],
    });
  });

  it('answers undefined for unknown, malformed, trimmed and expired ids', async () => {
    const { events } = open({ maxEventsPerStream: 2 });
    const first = await events.append('s', 'a', 60);
    await events.append('s', 'b', 60);
    const third = await events.append('s', 'c', 60);
    expect(await events.readAfter(first)).toBeUndefined();
    expect(await events.readAfter('nope')).toBeUndefined();
    expect(await events.readAfter('s.x')).toBeUndefined();
    expect(await events.readAfter('other.1')).toBeUndefined();
    expect(await events.readAfter(third)).toEqual({ streamId: 's', message: 'c', events: [] });
    clock += 61_000;
    expect(await events.readAfter(third)).toBeUndefined();
  });

  it('drops each event once it is older than its ttl, while the stream goes on', async () => {
    const { events } = open();
    const old = await events.append('s', 'old', 60);
    clock += 40_000;
    const recent = await events.append('s', 'recent', 60);
    clock += 30_000;
    const latest = await events.append('s', 'latest', 60);
    expect(await events.readAfter(old)).toBeUndefined();
    expect(await events.readAfter(recent)).toEqual({
      streamId: 's',
      message: 'recent',
      events: [{ id: latest, message: 'latest' }],
    });
  });

  it('deletes a stream with all its events', async () => {
    const s = open();
    const first = await s.events.append('s', 'a', 60);
    await s.events.append('kept', 'b', 60);
    await s.events.delete('s');
    await s.events.delete('never-existed');
    expect(await s.events.readAfter(first)).toBeUndefined();
    expect(s.entryCount()).toBe(1);
  });
});

describe('memory store: counters', () => {
  it('counts hits in a fixed window and starts again when it ends', async () => {
    const { counters } = open();
    expect(await counters.hit('u', 60_000)).toEqual({ count: 1, resetMs: 60_000 });
    clock += 20_000;
    expect(await counters.hit('u', 60_000)).toEqual({ count: 2, resetMs: 40_000 });
    expect(await counters.hit('v', 60_000)).toEqual({ count: 1, resetMs: 60_000 });
    clock += 40_000;
    expect(await counters.hit('u', 60_000)).toEqual({ count: 1, resetMs: 60_000 });
    await expect(counters.hit('u', 0)).rejects.toThrow(/windowMs/);
  });
});

describe('memory store: bounded memory', () => {
  it('sweeps expired entries that nobody reads again', async () => {
    const s = open({ sweepIntervalMs: 5 });
    await s.kv.set('k', 'v', 1);
    await s.events.append('e', 'm', 1);
    await s.counters.hit('c', 1_000);
    await s.kv.set('kept', 'v', 60);
    expect(s.entryCount()).toBe(4);
    clock += 2_000;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.entryCount()).toBe(1);
  });

  it('reports healthy', async () => {
    expect(await open().health()).toEqual({ kind: 'memory', status: 'ok' });
  });
});
