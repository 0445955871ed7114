/**
 * Cancelling a call stops the tool call and its NeonPanel request at once, not at the upstream timeout.
 * A 2026-07-28 client cancels by closing the response of its request (the server MUST treat a disconnect
 * as cancellation); a 2025-era client sends `notifications/cancelled`, which in a Streamable HTTP session
 * arrives in a POST of its own while the call runs in another.
 */
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/eventually.js';
import { openSession, postMcp } from '../../helpers/mcp-post.js';
import { metricValue } from '../../helpers/metrics.js';
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
  return metricValue(text, 'neonpanel_mcp_upstream_duration_seconds_count', { operation, status });
}

/** Waits for `condition`, failing with what was awaited after 5 s. */
function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  return eventually(condition, 25, { deadlineMs: 5_000, failure: `timed out waiting for ${what}` });
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

  /** Connects `client` to the bridge with alice's token, over Streamable HTTP or legacy SSE. */
  async function connect(client: Client, transport: 'streamable' | 'sse'): Promise<Client> {
    const requestInit = { headers: { Authorization: `Bearer ${token}` } };
    await client.connect(
      transport === 'sse'
        ? new SSEClientTransport(new URL(`${stack.url}/sse`), { requestInit })
        : new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), { requestInit }),
    );
    return client;
  }

  /** Starts a list_companies call that NeonPanel holds, aborts it once NeonPanel has it, and waits for the bridge to drop it. */
  async function abortHeldCall(client: Client): Promise<void> {
    const cancelledBefore = await upstreamCalls('listCompanies', 'cancelled');
    const heldBefore = stack.sandbox.faults.injected.hang;
    stack.sandbox.faults.add({ route: 'listCompanies', kind: 'hang', times: 1 });
    const abort = new AbortController();
    const outcome = client.callTool({ name: 'list_companies', arguments: {} }, { signal: abort.signal }).then(
      () => 'answered',
      () => 'rejected',
    );
    await until(async () => stack.sandbox.faults.injected.hang > heldBefore, 'the call to reach NeonPanel');
    abort.abort();
    expect(await outcome).toBe('rejected');
    await until(
      async () => (await upstreamCalls('listCompanies', 'cancelled')) === cancelledBefore + 1,
      'the NeonPanel call to be cancelled',
    );
  }

  it('a client in a 2025-era session that aborts a call stops its NeonPanel request', async () => {
    const client = new Client(
      { name: 'session-canceller', version: '1.0.0' },
      { versionNegotiation: { mode: 'legacy' } },
    );
    await connect(client, 'streamable');
    try {
      await abortHeldCall(client);
      // The session goes on: the next call is answered.
      expect((await client.callTool({ name: 'list_companies', arguments: {} })).isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('a legacy SSE client that aborts a call stops its NeonPanel request', async () => {
    const client = await connect(new Client({ name: 'sse-canceller', version: '1.0.0' }), 'sse');
    try {
      await abortHeldCall(client);
    } finally {
      await client.close();
    }
  });

  it('a session POST whose only request is cancelled ends with 202 and no body when the client takes JSON only', async () => {
    const session = await openSession(`${stack.url}/mcp`, token);
    const headers = { 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-11-25' };
    const heldBefore = stack.sandbox.faults.injected.hang;
    stack.sandbox.faults.add({ route: 'listCompanies', kind: 'hang', times: 1 });
    const call = postMcp(
      `${stack.url}/mcp`,
      token,
      JSON.stringify({ jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'list_companies' } }),
      { ...headers, Accept: 'application/json' },
    );
    await until(async () => stack.sandbox.faults.injected.hang > heldBefore, 'the call to reach NeonPanel');
    const notice = await postMcp(
      `${stack.url}/mcp`,
      token,
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'call-1' } }),
      headers,
    );
    expect(notice.status).toBe(202);
    const answer = await call;
    expect(answer.status).toBe(202);
    expect(await answer.text()).toBe('');
  });
});
