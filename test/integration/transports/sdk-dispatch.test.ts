/**
 * What the bridge's patch of the MCP SDK (patches/@modelcontextprotocol+server+2.4.0.patch, see
 * docs/dependency-patches.md) must keep true: an incoming request is dispatched, and a 2026-07-28
 * request classified, without first being parsed as a JSON-RPC response. Unpatched, the SDK tries the
 * two response schemas first on every message, and both parses fail on every request (what that costs:
 * docs/dependency-patches.md). A message that is a response is still taken as one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSession, postMcp } from '../../helpers/mcp-post.js';
import { modernRequest } from '../../helpers/modern-request.js';
import { watchResponseParses } from '../../helpers/sdk-parses.js';
import { openSse } from '../../helpers/sse.js';
import { useStack } from '../../helpers/use-stack.js';

const running = useStack();
afterEach(() => {
  vi.restoreAllMocks();
});

const listCompanies = { name: 'list_companies', arguments: {} };

/** POSTs `body` to `path` and checks that a tool result comes back: a 200 whose result is not an error. */
async function callTool(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await postMcp(`${running.stack.url}${path}`, running.token, JSON.stringify(body), {
    Accept: 'application/json',
    ...headers,
  });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { result?: { content: unknown[]; isError?: boolean } };
  expect(answer.result?.isError).toBeFalsy();
  expect(answer.result?.content.length).toBeGreaterThan(0);
}

describe('a tools/call is dispatched without being parsed as a response', () => {
  const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: listCompanies };

  it('stateless on /mcp', async () => {
    const parses = watchResponseParses();
    await callTool('/mcp', call, { 'MCP-Protocol-Version': '2025-11-25' });
    expect(parses()).toBe(0);
  });

  it('on /messages without a session', async () => {
    const parses = watchResponseParses();
    await callTool('/messages', call);
    expect(parses()).toBe(0);
  });

  it('in a Streamable HTTP session', async () => {
    const session = await openSession(`${running.stack.url}/mcp`, running.token);
    const parses = watchResponseParses();
    await callTool('/mcp', call, { 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-11-25' });
    expect(parses()).toBe(0);
  });

  it('on a legacy SSE stream (POST /messages?sessionId=…, the answer on the stream)', async () => {
    const stream = await openSse(`${running.stack.url}/sse`, { headers: { Authorization: `Bearer ${running.token}` } });
    try {
      const endpoint = await stream.next();
      expect(endpoint.event).toBe('endpoint');
      const parses = watchResponseParses();
      const posted = await postMcp(new URL(endpoint.data, running.stack.url).href, running.token, JSON.stringify(call));
      expect(posted.status).toBe(202);
      const answer = JSON.parse((await stream.next()).data) as { id: number; result?: { isError?: boolean } };
      expect(answer.id).toBe(1);
      expect(answer.result?.isError).toBeFalsy();
      expect(parses()).toBe(0);
    } finally {
      stream.close();
    }
  });

  it('as a 2026-07-28 request (classified, then dispatched)', async () => {
    const { body, headers } = modernRequest(1, 'tools/call', listCompanies);
    const parses = watchResponseParses();
    await callTool('/mcp', body, headers);
    expect(parses()).toBe(0);
  });
});

it('still takes a JSON-RPC response a client posts into its session as a response', async () => {
  const session = await openSession(`${running.stack.url}/mcp`, running.token);
  const parses = watchResponseParses();
  const response = await postMcp(
    `${running.stack.url}/mcp`,
    running.token,
    JSON.stringify({ jsonrpc: '2.0', id: 5, result: {} }),
    {
      'Mcp-Session-Id': session,
      'MCP-Protocol-Version': '2025-11-25',
    },
  );
  expect(response.status).toBe(202);
  expect(await response.text()).toBe('');
  expect(parses()).toBeGreaterThan(0);
});
