import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRedis, startRedis } from '../../helpers/redis.js';
import { type Stack, startStack } from '../../helpers/stack.js';
import { eventually } from '../../helpers/eventually.js';

let redis: TestRedis;
let stack: Stack;

beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack({ env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'ops-test:' } });
  await eventually(async () => {
    const health = (await (await fetch(`${stack.url}/healthz?deep=1`)).json()) as { store: { status: string } };
    return health.store.status === 'ok';
  });
});
afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

describe('REDIS_KEY_PREFIX', () => {
  it('every key the bridge writes to Redis starts with the configured prefix', async () => {
    const token = await stack.tokenFor('alice');
    const client = new V1Client({ name: 'ops-prefix', version: '1.0.0' });
    const transport = new V1StreamableTransport(new URL(`${stack.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    expect((await client.callTool({ name: 'list_companies', arguments: {} })).isError).toBeFalsy();

    const inspector = new Redis(redis.url);
    try {
      const keys = await inspector.keys('*');
      // A session record and rate-limit counters at least.
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.filter((key) => !key.startsWith('ops-test:'))).toEqual([]);
    } finally {
      inspector.disconnect();
      await transport.terminateSession();
      await client.close();
    }
  });
});
