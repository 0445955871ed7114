/**
 * Cancelling a call: in the 2026-07-28 revision a client cancels by closing the response of its request
 * (the server MUST treat a disconnect as cancellation), so the bridge must stop the tool call and its
 * NeonPanel request then, not let them run to the upstream timeout.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
let token: string;

beforeAll(async () => {
  // A timeout far beyond the test's own: only a cancellation can end the call in time.
  stack = await startStack({ env: { MCP_UPSTREAM_TIMEOUT_MS: '120000' } });
  token = await stack.tokenFor('alice');
});

afterAll(async () => {
  await stack.close();
});

/** The bridge's count of NeonPanel calls of `operation` that ended with `status`, from /metrics. */
async function upstreamCalls(operation: string, status: string): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(`neonpanel_mcp_upstream_duration_seconds_count{operation="${operation}",status="${status}"}`),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('cancellation', () => {
  it('a 2026-07-28 client that aborts a call stops its NeonPanel request at once', async () => {
    stack.sandbox.faults.set({ route: 'listCompanies', kind: 'hang' });
    const client = new Client(
      { name: 'canceller', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const abort = new AbortController();
      const call = client.callTool({ name: 'list_companies', arguments: {} }, { signal: abort.signal });
      const outcome = call.then(
        () => 'answered',
        (error: unknown) => (error instanceof Error ? error.name : String(error)),
      );
      await until(async () => stack.sandbox.faults.injected.hang === 1, 'the call to reach NeonPanel');
      expect(await upstreamCalls('listCompanies', 'cancelled')).toBe(0);

      abort.abort();
      expect(await outcome).not.toBe('answered');
      await until(
        async () => (await upstreamCalls('listCompanies', 'cancelled')) === 1,
        'the NeonPanel call to be cancelled',
      );
      await until(
        async () => stack.logs.some((line) => line.includes('"route":"/mcp"') && line.includes('"status":499')),
        'the access line of the cancelled request',
      );
    } finally {
      stack.sandbox.faults.clear();
      await client.close();
    }
  });
});
