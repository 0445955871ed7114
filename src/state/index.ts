import type { Config } from '../config/index.js';
import type { Logger } from '../telemetry/logger.js';
import { createMemoryStore } from './memory.js';
import type { Store } from './types.js';

export { StoreUnavailableError } from './errors.js';
export type { Counters, EventLog, KeyValue, MessageBus, Store, StoreHealth } from './types.js';

/** What the store needs besides configuration. */
export interface StoreDeps {
  logger: Logger;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. Default `neonpanel-mcp:`. */
  keyPrefix?: string;
}

/**
 * The state store for this deployment: Redis when `REDIS_URL` is set (shared by every instance),
 * otherwise process memory (one instance). Returns at once; a Redis connection is made in the background
 * and `health()` reports it.
 */
export async function createStore(config: Pick<Config, 'redisUrl'>, deps: StoreDeps): Promise<Store> {
  if (!config.redisUrl) return createMemoryStore({ logger: deps.logger });
  // ioredis is imported only when used: loading it costs a twentieth of the start-up time.
  const { createRedisStore } = await import('./redis.js');
  return createRedisStore({ url: config.redisUrl, logger: deps.logger, keyPrefix: deps.keyPrefix });
}
