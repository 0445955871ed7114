import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../../src/main.js';
import { type Stack, startStack } from '../../helpers/stack.js';

/** An MCP request without a token, as a client behind the load balancer at `clientIp` sends it. */
async function anonymousFrom(bridge: Bridge, clientIp: string): Promise<number> {
  const response = await fetch(`${bridge.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-forwarded-for': clientIp,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  await response.arrayBuffer();
  return response.status;
}

let stack: Stack;
let direct: Bridge;
let behindProxy: Bridge;

beforeAll(async () => {
  // One request per minute per client address; each instance counts in its own memory store.
  stack = await startStack({ env: { MCP_RATE_LIMIT_PER_IP: '1' } });
  direct = stack.bridge;
  behindProxy = await stack.startInstance({ MCP_TRUST_PROXY: 'loopback' });
});
afterAll(() => stack?.close());

describe('MCP_TRUST_PROXY', () => {
  it('set: clients behind the proxy are counted by their X-Forwarded-For address', async () => {
    expect(await anonymousFrom(behindProxy, '203.0.113.1')).toBe(401);
    expect(await anonymousFrom(behindProxy, '203.0.113.2')).toBe(401);
    expect(await anonymousFrom(behindProxy, '203.0.113.1')).toBe(429);
  });

  it('unset: X-Forwarded-For is ignored and every client shares the peer address', async () => {
    expect(await anonymousFrom(direct, '203.0.113.1')).toBe(401);
    expect(await anonymousFrom(direct, '203.0.113.2')).toBe(429);
  });
});
