/**
 * 2026-07-28 requests on `/mcp`. The plain ones (tools, discovery) are carried by the bridge's own
 * transport, the rest by the SDK's `createMcpHandler` (see `acceptedModernRequest` in src/mcp/era.ts). Either
 * way a client must get what the SDK's handler answers: each request here goes to the bridge over HTTP and
 * to a `createMcpHandler` built in this process on the bridge's own server factory and tools, and the two
 * answers (status, content type, body) must be the same.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type McpHttpHandler, createMcpHandler } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAuthInfo } from '../../../src/mcp/caller.js';
import { createMcpServerFactory } from '../../../src/mcp/server-factory.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { type Toolset, createToolset } from '../../../src/tools/index.js';
import { testCaller } from '../../helpers/caller.js';
import { mcpPostInit, postMcp } from '../../helpers/mcp-post.js';
import { REVISION_2026, modernRequest, withHeaders } from '../../helpers/modern-request.js';
import { type Stack, stackConfig, startStack } from '../../helpers/stack.js';
import { type SseEvent, eventsUntilEnd, openSse } from '../../helpers/sse.js';

// Short, so a slow call turns into a stream quickly (NeonPanel's answer is delayed past it), yet long enough
// that a quick call on a loaded machine still answers as JSON, as the SDK's handler does.
const STREAM_AFTER_MS = 1_500;
const KEEPALIVE_MS = 100;

let stack: Stack;
let token: string;
let toolset: Toolset;
let sdk: McpHttpHandler;

beforeAll(async () => {
  stack = await startStack({
    env: { MCP_STREAM_AFTER_MS: String(STREAM_AFTER_MS), MCP_KEEPALIVE_MS: String(KEEPALIVE_MS) },
  });
  token = await stack.tokenFor('alice');
  toolset = await createToolset({
    config: stackConfig(stack.sandbox, 0),
    logger: silentLogger(),
    metrics: createMetrics(),
  });
  sdk = createMcpHandler(
    // The same public origin as the stack, so both serve the same icon URLs in serverInfo.
    createMcpServerFactory({ toolset, logger: silentLogger(), publicUrl: stack.url }),
    { legacy: 'reject' },
  );
});

afterAll(async () => {
  await sdk?.close();
  await toolset?.close();
  await stack?.close();
});

/** A `list_companies` call with id `id`. */
function listCompanies(id: number) {
  return modernRequest(id, 'tools/call', { name: 'list_companies', arguments: {} });
}

/** What a client sees of an answer. */
async function seen(response: Response) {
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type')?.split(';')[0],
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** The SDK handler's answer to the same request, for the same caller. */
async function sdkAnswer(body: unknown, headers: Record<string, string>) {
  // The same POST the bridge gets; the handler takes the caller from `authInfo`, not from the header.
  const request = new Request('http://127.0.0.1/mcp', mcpPostInit(token, JSON.stringify(body), headers));
  const caller = testCaller({ token, expiresAt: 0, requestId: 'test' });
  return seen(await sdk.fetch(request, { authInfo: toAuthInfo(caller), parsedBody: body }));
}

describe('2026-07-28 requests', () => {
  const cases: Array<[string, ReturnType<typeof modernRequest>]> = [
    ['tools/list', modernRequest(1, 'tools/list')],
    ['server/discover', modernRequest(2, 'server/discover')],
    ['a tool call', listCompanies(3)],
    ['a call of an unknown tool', modernRequest(4, 'tools/call', { name: 'no_such_tool', arguments: {} })],
    [
      'a call with arguments the tool refuses',
      modernRequest(5, 'tools/call', { name: 'list_companies', arguments: { unexpected: 1 } }),
    ],
    [
      'a call whose arguments are not an object',
      modernRequest(6, 'tools/call', { name: 'list_companies', arguments: 7 }),
    ],
    ['ping', modernRequest(7, 'ping')],
    ['a method the bridge does not serve', modernRequest(8, 'resources/list')],
    ['a call without Mcp-Name', withHeaders(listCompanies(9), { 'mcp-name': undefined })],
    ['a call whose Mcp-Name is another tool', withHeaders(listCompanies(10), { 'mcp-name': 'get_company' })],
    [
      'a call whose Mcp-Name is Base64-encoded',
      withHeaders(listCompanies(11), {
        'mcp-name': `=?base64?${Buffer.from('list_companies').toString('base64')}?=`,
      }),
    ],
    [
      'a request without MCP-Protocol-Version',
      withHeaders(modernRequest(12, 'tools/list'), { 'mcp-protocol-version': undefined }),
    ],
  ];

  it.each(cases)('%s is answered as the SDK answers it', async (_name, { body, headers }) => {
    const bridge = await seen(await postMcp(`${stack.url}/mcp`, token, JSON.stringify(body), headers));
    expect(bridge).toEqual(await sdkAnswer(body, headers));
  });

  it('a tool call is answered with NeonPanel data, as JSON', async () => {
    const { body, headers } = listCompanies(20);
    const answer = await seen(await postMcp(`${stack.url}/mcp`, token, JSON.stringify(body), headers));
    expect(answer).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(answer.body.result.isError).toBeFalsy();
    expect(answer.body.result.structuredContent).toBeDefined();
  });

  it('a slow call is answered on an SSE stream with keep-alive comments', async () => {
    stack.sandbox.faults.set({ route: 'listCompanies', kind: 'latency', latencyMs: STREAM_AFTER_MS + 500, times: 1 });
    try {
      const { body, headers } = listCompanies(21);
      const stream = await openSse(`${stack.url}/mcp`, mcpPostInit(token, JSON.stringify(body), headers));
      expect(stream.headers.get('content-type')).toBe('text/event-stream');
      const events: SseEvent[] = await eventsUntilEnd(stream);
      const messages = events.filter((event) => event.event === 'message');
      expect(messages).toHaveLength(1);
      expect(JSON.parse(messages[0]!.data)).toMatchObject({
        id: 21,
        result: { structuredContent: expect.any(Object) },
      });
      // NeonPanel took 500 ms after the stream opened: several keep-alive intervals.
      expect(stream.comments()).toBeGreaterThanOrEqual(2);
    } finally {
      stack.sandbox.faults.clear();
    }
  });

  it('the SDK client pinned to 2026-07-28 gets the answer of a slow call', async () => {
    stack.sandbox.faults.set({ route: 'listCompanies', kind: 'latency', latencyMs: STREAM_AFTER_MS + 500, times: 1 });
    const client = new Client(
      { name: 'modern-slow', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: REVISION_2026 } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const result = await client.callTool({ name: 'list_companies', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(stack.sandbox.faults.injected.latency).toBe(1);
    } finally {
      stack.sandbox.faults.clear();
      await client.close();
    }
  });
});
