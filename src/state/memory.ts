import type { Logger } from '../telemetry/logger.js';
import { formatEventId, parseEventId } from './event-id.js';
import type { Counters, EventLog, KeyValue, MessageBus, Store } from './types.js';

/** The in-process store, plus a count of what it holds (for tests and memory checks). */
export interface MemoryStore extends Store {
  /** Keys, event streams and counter windows held right now, expired or not yet swept included. */
  entryCount(): number;
}

/** Options of the in-process store; the defaults suit production. */
export interface MemoryStoreOptions {
  logger: Logger;
  /** How often expired keys, streams and counters are dropped, ms. Default 30 s. */
  sweepIntervalMs?: number;
  /** Events kept per stream (per Streamable HTTP session); older ones are dropped first. Default 256. */
  maxEventsPerStream?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

interface Expiring {
  expiresAt: number;
}

interface StreamLog extends Expiring {
  nextSeq: number;
  /** Oldest first; each event expires on its own. */
  events: (Expiring & { seq: number; message: string })[];
}

/** Events a stream keeps by default: enough to resume the streams in flight of one busy session. */
export const DEFAULT_MAX_EVENTS_PER_STREAM = 256;

/** Throws on a ttl the contract forbids: nothing shared lives forever. */
export function assertTtl(ttlSeconds: number): void {
  if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) {
    throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
  }
}

/** Throws on a counter window that is not a positive whole number of ms. */
export function assertWindow(windowMs: number): void {
  if (!Number.isInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`windowMs must be a positive whole number, got ${windowMs}`);
  }
}

/**
 * The store for a single instance: everything in this process's memory. Memory stays bounded:
 * every entry expires, a timer sweeps expired entries, and each event stream keeps its newest events only.
 */
export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  const now = options.now ?? Date.now;
  const maxEvents = options.maxEventsPerStream ?? DEFAULT_MAX_EVENTS_PER_STREAM;
  const values = new Map<string, Expiring & { value: string }>();
  const streams = new Map<string, StreamLog>();
  const windows = new Map<string, Expiring & { count: number }>();
  const channels = new Map<string, Set<(message: string) => void>>();

  /** The entry when it exists and has not expired (an expired one is dropped on the way). */
  function live<T extends Expiring>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops a stream's expired events (the oldest come first). */
  function dropExpiredEvents(stream: StreamLog, t: number): void {
    const firstLive = stream.events.findIndex((event) => event.expiresAt > t);
    stream.events.splice(0, firstLive < 0 ? stream.events.length : firstLive);
  }

  function sweep(): void {
    const t = now();
    for (const map of [values, streams, windows] as Map<string, Expiring>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= t) map.delete(key);
    }
    for (const stream of streams.values()) dropExpiredEvents(stream, t);
  }
  const sweeper = setInterval(sweep, options.sweepIntervalMs ?? 30_000);
  sweeper.unref();

  const kv: KeyValue = {
    async get(key) {
      return live(values, key)?.value;
    },
    async set(key, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      values.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
    },
    async delete(key) {
      values.delete(key);
    },
    async getAndTouch(key, ttlSeconds) {
      assertTtl(ttlSeconds);
      const entry = live(values, key);
      if (entry) entry.expiresAt = now() + ttlSeconds * 1000;
      return entry?.value;
    },
  };

  const bus: MessageBus = {
    async publish(channel, message) {
      const handlers = channels.get(channel);
      if (!handlers) return;
      // Delivered after the publisher continues, as over Redis; a failing handler must not reach the publisher.
      for (const handler of [...handlers]) {
        queueMicrotask(() => {
          try {
            handler(message);
          } catch (err) {
            options.logger.error({ err, channel }, 'message handler failed');
          }
        });
      }
    },
    async subscribe(channel, onMessage) {
      const handlers = channels.get(channel) ?? new Set();
      channels.set(channel, handlers);
      // A wrapper per subscription, so subscribing the same function twice still unsubscribes once each.
      const handler = (message: string) => onMessage(message);
      handlers.add(handler);
      return async () => {
        handlers.delete(handler);
        if (handlers.size === 0 && channels.get(channel) === handlers) channels.delete(channel);
      };
    },
  };

  const events: EventLog = {
    async append(streamId, message, ttlSeconds) {
      assertTtl(ttlSeconds);
      const t = now();
      const stream = live(streams, streamId) ?? { nextSeq: 1, events: [], expiresAt: 0 };
      streams.set(streamId, stream);
      const seq = stream.nextSeq++;
      stream.expiresAt = t + ttlSeconds * 1000;
      stream.events.push({ seq, message, expiresAt: stream.expiresAt });
      dropExpiredEvents(stream, t);
      if (stream.events.length > maxEvents) stream.events.splice(0, stream.events.length - maxEvents);
      return formatEventId(streamId, String(seq));
    },
    async readAfter(afterEventId) {
      const parsed = parseEventId(afterEventId);
      if (!parsed || !/^\d+$/.test(parsed.position)) return undefined;
      const stream = live(streams, parsed.streamId);
      if (!stream) return undefined;
      dropExpiredEvents(stream, now());
      const seq = Number(parsed.position);
      const at = stream.events.findIndex((event) => event.seq === seq);
      if (at < 0) return undefined;
      return {
        streamId: parsed.streamId,
        message: stream.events[at]!.message,
        events: stream.events
          .slice(at + 1)
          .map((event) => ({ id: formatEventId(parsed.streamId, String(event.seq)), message: event.message })),
      };
    },
    async delete(streamId) {
      streams.delete(streamId);
    },
  };

  const counters: Counters = {
    async hit(key, windowMs) {
      assertWindow(windowMs);
      const t = now();
      const window = live(windows, key) ?? { count: 0, expiresAt: t + windowMs };
      windows.set(key, window);
      window.count += 1;
      return { count: window.count, resetMs: window.expiresAt - t };
    },
  };

  return {
    kind: 'memory',
    kv,
    bus,
    events,
    counters,
    async health() {
      return { kind: 'memory', status: 'ok' };
    },
    entryCount() {
      return values.size + streams.size + windows.size;
    },
    async close() {
      clearInterval(sweeper);
      values.clear();
      streams.clear();
      windows.clear();
      channels.clear();
    },
  };
}
