/**
 * Shared state between bridge instances. `memory.ts` implements it for one instance,
 * `redis.ts` for many behind a load balancer. Every method must answer within a bounded
 * time even when the backing store is down: callers never hang waiting for Redis.
 */

/** A string key/value map with per-key expiry. */
export interface KeyValue {
  get(key: string): Promise<string | undefined>;
  /** ttlSeconds > 0 is required: nothing shared lives forever. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** The value, its expiry refreshed to `ttlSeconds` in the same step; undefined when the key does not exist. */
  getAndTouch(key: string, ttlSeconds: number): Promise<string | undefined>;
}

/** Fan-out messages between instances (legacy SSE routing, session messages). */
export interface MessageBus {
  publish(channel: string, message: string): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
}

/**
 * Event log per stream, for Streamable HTTP resumption (`Last-Event-ID`). Bounded: each event is kept
 * for about `ttlSeconds` after it was appended, each stream keeps only its store's cap of newest events,
 * and a stream can be dropped at once.
 */
export interface EventLog {
  /**
   * Appends and returns the new event id (unique, ordered within the stream). Events of the stream older
   * than `ttlSeconds` are dropped, and the stream expires `ttlSeconds` after its last append.
   */
  append(streamId: string, message: string, ttlSeconds: number): Promise<string>;
  /**
   * The message of `afterEventId` and the events after it in order, or undefined when that id is unknown
   * (never issued, expired, trimmed or its stream deleted).
   */
  readAfter(
    afterEventId: string,
  ): Promise<{ streamId: string; message: string; events: { id: string; message: string }[] } | undefined>;
  /** Drops a stream and every event in it; nothing happens when it does not exist. */
  delete(streamId: string): Promise<void>;
}

/** Fixed-window counters for rate limits. */
export interface Counters {
  /** Adds one hit to `key` and returns the count in the current window and ms until it resets. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
}

export interface StoreHealth {
  kind: 'memory' | 'redis';
  status: 'ok' | 'degraded';
  detail?: string;
}

export interface Store {
  readonly kind: 'memory' | 'redis';
  readonly kv: KeyValue;
  readonly bus: MessageBus;
  readonly events: EventLog;
  readonly counters: Counters;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
