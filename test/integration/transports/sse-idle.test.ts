import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '../../helpers/sse.js';
import { type Stack, startStack } from '../../helpers/stack.js';

const IDLE_MS = 60_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: { MCP_KEEPALIVE_MS: '5000' } });
});
afterAll(() => stack?.close());

describe('an idle legacy SSE session', () => {
  it(
    'survives 60 s of real idleness with keep-alive comments, then answers a tool call',
    async () => {
      const token = await stack.tokenFor('alice');
      const headers = { Authorization: `Bearer ${token}` };
      const client = new Client({ name: 'idle-test', version: '1.0.0' });
      await client.connect(
        new SSEClientTransport(new URL(`${stack.url}/sse`), {
          requestInit: { headers },
          eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...headers } }) },
        }),
      );
      // A raw stream beside it, to count the keep-alive comments a proxy would see.
      const raw = await openSse(`${stack.url}/sse`, { headers: { ...headers, Accept: 'text/event-stream' } });
      await raw.next();

      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));

      expect(raw.comments()).toBeGreaterThanOrEqual(10);
      const result = await client.callTool({ name: 'list_companies', arguments: {} });
      expect(result.isError).toBeFalsy();
      raw.close();
      await client.close();
    },
    IDLE_MS + 30_000,
  );
});
