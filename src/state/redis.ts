import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../telemetry/logger.js';
import { StoreUnavailableError } from './errors.js';
import { formatEventId, parseEventId } from './event-id.js';
import { assertTtl, assertWindow, DEFAULT_MAX_EVENTS_PER_STREAM } from './memory.js';
import type { Counters, EventLog, KeyValue, MessageBus, Store, StoreHealth } from './types.js';

/** Options of the Redis store; the defaults suit production. */
export interface RedisStoreOptions {
  /** `redis://` or `rediss://` URL. Never logged: it may hold a password. */
  url: string;
  logger: Logger;
  /** Prefix of every key and channel. Default `neonpanel-mcp:`. */
  keyPrefix?: string;
  /** Longest wait for one Redis answer (and for the first connection), ms. Default 500. */
  commandTimeoutMs?: number;
  /** Events kept per stream (per Streamable HTTP session); older ones are dropped first. Default 256. */
  maxEventsPerStream?: number;
}

/**
 * INCR and set the window's expiry in one step, so a counter can never be left without expiry.
 * Returns [count, ms until the window resets].
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * Appends one event and bounds the stream in one step: at most ARGV[1] entries, none older than ARGV[3] ms
 * before the new one (entry ids start with Redis's clock in ms, so instances' clocks do not matter), and
 * the key expires ARGV[3] ms after this append. Returns the new entry id.
 */
const APPEND_SCRIPT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'm', ARGV[2])
local ms = tonumber(string.match(id, '^%d+'))
redis.call('XTRIM', KEYS[1], 'MINID', string.format('%.0f', ms - tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return id
`;

/** Position of an event inside a Redis stream (`<ms>-<seq>`). */
const STREAM_ENTRY_ID = /^\d+-\d+$/;

/**
 * Calls `onExpired` once `ms` have passed *and* pending I/O has been read. A timer that fires after the
 * event loop was busy for longer than `ms` (CPU contention, a large synchronous job) runs before the
 * socket data that arrived meanwhile; waiting for the check phase lets that data settle the command
 * first, so a stall in this process is not blamed on Redis.
 */
function afterDeadline(ms: number, onExpired: () => void): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(onExpired);
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}

/** The message field of a stream entry's field list. */
function messageOf(fields: string[]): string {
  return fields[fields.indexOf('m') + 1] ?? '';
}

/** Reconnect forever, backing off to at most 2 s between attempts. */
function retryDelay(attempt: number): number {
  return Math.min(attempt * 100, 2_000);
}

/**
 * The store for several instances behind a load balancer. Two connections: one for commands and one
 * in subscriber mode for the message bus. When Redis is down every call rejects with
 * StoreUnavailableError within `commandTimeoutMs` (at once when the connection is known to be down),
 * except two that still do their local part: `bus.subscribe` (subscribed in Redis once it is back) and
 * `bus.publish` when a subscriber in this process received the message. Both connections reconnect
 * by themselves.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const prefix = options.keyPrefix ?? 'neonpanel-mcp:';
  const timeoutMs = options.commandTimeoutMs ?? 500;
  const maxEvents = options.maxEventsPerStream ?? DEFAULT_MAX_EVENTS_PER_STREAM;
  const log = options.logger.child({ component: 'store' });
  const instanceId = randomBytes(8).toString('hex');

  const connectionOptions: RedisOptions = {
    // Callers get their answer or an error within `timeoutMs` (see `run`); this longer backstop only
    // clears commands stuck on a connection that hangs without closing.
    commandTimeout: Math.max(timeoutMs * 10, 5_000),
    connectTimeout: Math.max(timeoutMs, 1_000),
    // Commands never queue while disconnected: they fail now and the caller degrades.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: retryDelay,
    lazyConnect: true,
  };
  const client = new Redis(options.url, {
    ...connectionOptions,
    connectionName: 'neonpanel-mcp',
    // Commands issued by requests served in the same turn of the event loop (every call's rate-limit count,
    // every session request's GETEX) go to Redis in one write and come back in one read, not a round trip
    // each, which under concurrent load serves measurably more calls a second (bench/findings.md).
    // Each command still has its own answer, error and deadline (`run`).
    enableAutoPipelining: true,
  });
  // Channels are (re)subscribed from `handlers` on every 'ready' below, including those subscribed during an outage.
  const subscriber = new Redis(options.url, {
    ...connectionOptions,
    connectionName: 'neonpanel-mcp-sub',
    autoResubscribe: false,
  });

  /** Last connection error per connection, cleared when it is ready again; logged once per outage. */
  const lastError = new Map<Redis, string>();
  let closing = false;
  for (const [connection, role] of [
    [client, 'commands'],
    [subscriber, 'subscriber'],
  ] as const) {
    const markDown = (reason: string) => {
      if (closing) return;
      if (!lastError.has(connection)) log.warn({ role, error: reason }, 'redis unavailable, reconnecting');
      lastError.set(connection, reason);
    };
    connection.on('error', (err: Error) => markDown(err.message));
    // A connection closed without an error (Redis shut down cleanly) is down too, until it is ready again.
    connection.on('close', () => markDown(lastError.get(connection) ?? 'connection closed'));
    connection.on('ready', () => {
      if (lastError.delete(connection)) log.info({ role }, 'redis connection restored');
    });
    connection.connect().catch(() => {
      // Reported by the 'error' listener; retryStrategy keeps trying.
    });
  }

  /**
   * Waits (bounded) until `connection` can take commands. Rejects at once when it is known to be down,
   * so a Redis outage costs a request nothing but the fallback.
   */
  async function ready(connection: Redis): Promise<void> {
    if (connection.status === 'ready') return;
    const down = lastError.get(connection);
    if (down !== undefined || closing) throw new StoreUnavailableError(`redis unavailable: ${down ?? 'store closed'}`);
    await new Promise<void>((resolve, reject) => {
      const cancel = afterDeadline(timeoutMs, () => {
        connection.off('ready', onReady);
        reject(new StoreUnavailableError(`redis not connected within ${timeoutMs} ms`));
      });
      const onReady = () => {
        cancel();
        resolve();
      };
      connection.once('ready', onReady);
    });
  }

  /**
   * Runs one Redis call with a ready connection, answering within `timeoutMs`; any failure becomes
   * StoreUnavailableError.
   */
  async function run<T>(connection: Redis, call: () => Promise<T>): Promise<T> {
    await ready(connection);
    return new Promise<T>((resolve, reject) => {
      const cancel = afterDeadline(timeoutMs, () =>
        reject(new StoreUnavailableError(`redis did not answer within ${timeoutMs} ms`)),
      );
      call().then(
        (value) => {
          cancel();
          resolve(value);
        },
        (err: Error) => {
          cancel();
          reject(new StoreUnavailableError(`redis call failed: ${err.message}`, { cause: err }));
        },
      );
    });
  }

  const ms = (ttlSeconds: number) => Math.max(1, Math.ceil(ttlSeconds * 1000));
  const kvKey = (key: string) => `${prefix}kv:${key}`;

  const kv: KeyValue = {
    async get(key) {
      return (await run(client, () => client.get(kvKey(key)))) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      assertTtl(ttlSeconds);
      await run(client, () => client.set(kvKey(key), value, 'PX', ms(ttlSeconds)));
    },
    async delete(key) {
      await run(client, () => client.del(kvKey(key)));
    },
    // GETEX (Redis 6.2): one round trip for what every request in a session does first.
    async getAndTouch(key, ttlSeconds) {
      assertTtl(ttlSeconds);
      return (await run(client, () => client.getex(kvKey(key), 'PX', ms(ttlSeconds)))) ?? undefined;
    },
  };

  // Messages carry the publishing instance's id, so this instance delivers its own messages directly
  // (also while Redis is down) and ignores their echo from Redis.
  const handlers = new Map<string, Set<(message: string) => void>>();
  const channelKey = (channel: string) => `${prefix}bus:${channel}`;
  function deliver(fullChannel: string, message: string): boolean {
    const set = handlers.get(fullChannel);
    if (!set || set.size === 0) return false;
    for (const handler of [...set]) {
      try {
        handler(message);
      } catch (err) {
        log.error({ err, channel: fullChannel }, 'message handler failed');
      }
    }
    return true;
  }
  subscriber.on('ready', () => {
    const channels = [...handlers.keys()];
    if (channels.length === 0) return;
    subscriber.subscribe(...channels).catch((err: Error) => {
      log.warn({ error: err.message, channels: channels.length }, 'redis resubscribe failed');
    });
  });
  subscriber.on('message', (fullChannel: string, envelope: string) => {
    if (envelope.startsWith(`${instanceId}|`)) return;
    deliver(fullChannel, envelope.slice(instanceId.length + 1));
  });

  const bus: MessageBus = {
    async publish(channel, message) {
      const fullChannel = channelKey(channel);
      const deliveredHere = (handlers.get(fullChannel)?.size ?? 0) > 0;
      if (deliveredHere) queueMicrotask(() => deliver(fullChannel, message));
      try {
        await run(client, () => client.publish(fullChannel, `${instanceId}|${message}`));
      } catch (err) {
        // A subscriber in this process got it; only other instances missed it.
        if (!deliveredHere) throw err;
      }
    },
    async subscribe(channel, onMessage) {
      const fullChannel = channelKey(channel);
      const first = !handlers.has(fullChannel);
      const set = handlers.get(fullChannel) ?? new Set();
      handlers.set(fullChannel, set);
      const handler = (message: string) => onMessage(message);
      set.add(handler);
      const unsubscribe = async () => {
        set.delete(handler);
        if (set.size > 0 || handlers.get(fullChannel) !== set) return;
        handlers.delete(fullChannel);
        // Best effort: a channel left subscribed while Redis is down only costs ignored messages.
        await run(subscriber, () => subscriber.unsubscribe(fullChannel)).catch(() => undefined);
      };
      // While Redis is unreachable the subscription is local only (messages published in this process
      // arrive); the 'ready' listener subscribes it in Redis once the connection is back.
      if (first) await run(subscriber, () => subscriber.subscribe(fullChannel)).catch(() => undefined);
      return unsubscribe;
    },
  };

  const streamKey = (streamId: string) => `${prefix}ev:${streamId}`;
  const events: EventLog = {
    async append(streamId, message, ttlSeconds) {
      assertTtl(ttlSeconds);
      const entryId = await run(client, () =>
        client.eval(APPEND_SCRIPT, 1, streamKey(streamId), maxEvents, message, ms(ttlSeconds)),
      );
      if (typeof entryId !== 'string') throw new StoreUnavailableError('redis XADD answered without an entry id');
      return formatEventId(streamId, entryId);
    },
    async readAfter(afterEventId) {
      const parsed = parseEventId(afterEventId);
      if (!parsed || !STREAM_ENTRY_ID.test(parsed.position)) return undefined;
      const key = streamKey(parsed.streamId);
      const [found, after] = await run(client, () =>
        Promise.all([
          client.xrange(key, parsed.position, parsed.position),
          client.xrange(key, `(${parsed.position}`, '+'),
        ]),
      );
      // An id that is gone (expired or trimmed) cannot be resumed from without losing events.
      const [event] = found;
      if (!event) return undefined;
      return {
        streamId: parsed.streamId,
        message: messageOf(event[1]),
        events: after.map(([entryId, fields]) => ({
          id: formatEventId(parsed.streamId, entryId),
          message: messageOf(fields),
        })),
      };
    },
    async delete(streamId) {
      await run(client, () => client.del(streamKey(streamId)));
    },
  };

  const counters: Counters = {
    async hit(key, windowMs) {
      assertWindow(windowMs);
      const reply = (await run(client, () => client.eval(HIT_SCRIPT, 1, `${prefix}rl:${key}`, windowMs))) as [
        number,
        number,
      ];
      return { count: Number(reply[0]), resetMs: Number(reply[1]) };
    },
  };

  async function health(): Promise<StoreHealth> {
    try {
      await run(client, () => client.ping());
      await ready(subscriber);
      return { kind: 'redis', status: 'ok' };
    } catch (err) {
      return { kind: 'redis', status: 'degraded', detail: (err as Error).message };
    }
  }

  return {
    kind: 'redis',
    kv,
    bus,
    events,
    counters,
    health,
    async close() {
      closing = true;
      handlers.clear();
      // QUIT lets replies in flight arrive; disconnect() is the fallback when Redis is gone.
      await Promise.all(
        [client, subscriber].map((connection) =>
          connection.status === 'ready'
            ? connection.quit().catch(() => connection.disconnect())
            : connection.disconnect(),
        ),
      );
    },
  };
}
