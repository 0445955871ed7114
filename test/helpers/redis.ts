// The benchmark needs the same helper and must not import test/, so it lives in scripts/lib.
export { type LocalRedis as TestRedis, REDIS_SERVER, startRedis } from '../../scripts/lib/redis.js';
