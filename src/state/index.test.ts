import { describe, expect, it } from 'vitest';
import { silentLogger } from '../telemetry/logger.js';
import { createStore, StoreUnavailableError } from './index.js';

describe('createStore', () => {
  it('uses process memory when REDIS_URL is unset', async () => {
    const store = await createStore({ redisUrl: undefined }, { logger: silentLogger() });
    expect(store.kind).toBe('memory');
    expect(await store.health()).toEqual({ kind: 'memory', status: 'ok' });
    await store.close();
  });

  it('uses Redis when REDIS_URL is set, and fails fast when nothing answers there', async () => {
    const store = await createStore({ redisUrl: 'redis://127.0.0.1:1' }, { logger: silentLogger() });
    expect(store.kind).toBe('redis');
    await expect(store.kv.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.counters.hit('k', 1_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    const health = await store.health();
    expect(health).toMatchObject({ kind: 'redis', status: 'degraded' });
    expect(health.detail).toMatch(/redis/);
    await store.close();
  });
});
