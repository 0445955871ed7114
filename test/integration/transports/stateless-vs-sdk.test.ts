/**
 * 2025-era POSTs without a session (`/mcp` stateless, `/messages` direct) are carried by the bridge's own
 * transport (src/mcp/post-transport.ts), not by the SDK's `WebStandardStreamableHTTPServerTransport`. A
 * client must not be able to tell: each request here goes to the bridge over HTTP and to the SDK's
 * stateless transport (`sessionIdGenerator: undefined`, as the SDK's own stateless serving builds it) on
 * a server from the bridge's own factory and tools, and the two answers (status, content type, body) must
 * be the same, as JSON and as SSE.
 *
 * Where the two differ on purpose, the SDK side is given what the bridge settles first: the SDK insists on
 * both types in `Accept`, while the bridge serves a client that accepts one of them in that type (JSON
 * when it accepts both); so the SDK always gets both, in JSON mode unless the bridge's client asked for SSE.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAuthInfo } from '../../../src/mcp/caller.js';
import { type BuildServer, createMcpServerFactory } from '../../../src/mcp/server-factory.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { type Toolset, createToolset } from '../../../src/tools/index.js';
import { testCaller } from '../../helpers/caller.js';
import { mcpPostInit, postMcp } from '../../helpers/mcp-post.js';
import { type Stack, stackConfig, startStack } from '../../helpers/stack.js';

const BOTH = 'application/json, text/event-stream';

let stack: Stack;
let token: string;
let toolset: Toolset;
let build: BuildServer;

beforeAll(async () => {
  // The batches below count against the per-user limit message by message.
  stack = await startStack({ env: { MCP_RATE_LIMIT_PER_USER: '1000' } });
  token = await stack.tokenFor('alice');
  toolset = await createToolset({
    config: stackConfig(stack.sandbox, 0),
    logger: silentLogger(),
    metrics: createMetrics(),
  });
  // The same public origin as the stack, so both serve the same icon URLs in serverInfo.
  build = createMcpServerFactory({ toolset, logger: silentLogger(), publicUrl: stack.url });
});

afterAll(async () => {
  await toolset?.close();
  await stack?.close();
});

/** The events of an SSE body: each event's field lines, and its data parsed as JSON. */
function sseEvents(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const lines = block.split('\n');
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length));
      return { fields: lines.filter((line) => !line.startsWith('data: ')), data: data.map((item) => JSON.parse(item)) };
    });
}

/** What a client sees of an answer: status, content type and body (JSON, or the SSE events). */
async function seen(response: Response) {
  const text = await response.text();
  const contentType = response.headers.get('content-type')?.split(';')[0];
  return {
    status: response.status,
    contentType,
    body: text === '' ? undefined : contentType === 'text/event-stream' ? sseEvents(text) : JSON.parse(text),
  };
}

/** The SDK's stateless transport's answer to the same request, for the same caller, on a fresh server. */
async function sdkAnswer(path: string, body: unknown, headers: Record<string, string>, sse: boolean) {
  const server = build({ era: 'legacy' });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !sse,
  });
  await server.connect(transport);
  try {
    const init = mcpPostInit(token, JSON.stringify(body), { ...headers, Accept: BOTH });
    const request = new Request(`http://127.0.0.1${path}`, init);
    // The transport takes the caller from `authInfo`, not from the header.
    const caller = testCaller({ token, expiresAt: 0, requestId: 'test' });
    return await seen(await transport.handleRequest(request, { authInfo: toAuthInfo(caller), parsedBody: body }));
  } finally {
    await server.close();
  }
}

const ping = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'ping' });
const call = (id: number | string, name: string, args: unknown = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
};

type Case = [string, unknown, Record<string, string>?];

/** Requests answered alike as JSON and as SSE. */
const cases: Case[] = [
  ['ping', ping(1)],
  ['tools/list', { jsonrpc: '2.0', id: 2, method: 'tools/list' }],
  ['a tool call', call(3, 'list_companies')],
  ['a call of an unknown tool', call(4, 'no_such_tool')],
  ['a call with arguments the tool refuses', call(5, 'list_companies', { unexpected: 1 })],
  ['a call whose arguments are not an object', call('six', 'list_companies', 7)],
  ['a call without a tool name', { jsonrpc: '2.0', id: 7, method: 'tools/call', params: {} }],
  ['a method the bridge does not serve', { jsonrpc: '2.0', id: 8, method: 'resources/list' }],
  ['an unknown method', { jsonrpc: '2.0', id: 9, method: 'no/such' }],
  [
    // The call, first, is answered last (it waits for NeonPanel): the JSON answer still lists it first.
    'a batch, answered in request order',
    [call(3, 'list_companies'), ping('b'), { jsonrpc: '2.0', id: 'a', method: 'no/such' }],
  ],
  ['a notification', initialized],
  ['a batch of notifications', [initialized, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }]],
  ['a client response to no request', { jsonrpc: '2.0', id: 11, result: {} }],
  ['a request on revision 2025-06-18', ping(12), { 'MCP-Protocol-Version': '2025-06-18' }],
  ['a request with an unsupported MCP-Protocol-Version', ping(13), { 'MCP-Protocol-Version': '1999-01-01' }],
  ['a batch of more than 100 messages', Array.from({ length: 101 }, (_, i) => ping(i))],
  ['initialize batched with another request', [initialize, ping(14)]],
];

/**
 * Batches holding one request. As JSON, JSON-RPC 2.0 answers a batch with an array, and so does the bridge;
 * the SDK's transport (2.4.0) answers the one answer alone, not in an array. As SSE both send one event.
 */
const batchesOfOne: Case[] = [
  ['a batch of one request', [ping(10)]],
  ['a batch of a notification and one request', [initialized, call(11, 'list_companies')]],
];

describe.each(['/mcp', '/messages'])('2025-era POSTs without a session on %s', (path) => {
  it.each(cases)('%s is answered as JSON as the SDK answers it', async (_name, body, headers = {}) => {
    const bridge = await seen(await postMcp(`${stack.url}${path}`, token, JSON.stringify(body), headers));
    expect(bridge).toEqual(await sdkAnswer(path, body, headers, false));
  });

  it.each(batchesOfOne)('%s is answered as JSON with an array of its answer', async (_name, body) => {
    const bridge = await seen(await postMcp(`${stack.url}${path}`, token, JSON.stringify(body)));
    const sdk = await sdkAnswer(path, body, {}, false);
    expect(Array.isArray(sdk.body)).toBe(false);
    expect(bridge).toEqual({ ...sdk, body: [sdk.body] });
  });

  it.each([...cases, ...batchesOfOne])(
    '%s is answered as SSE as the SDK answers it',
    async (_name, body, headers = {}) => {
      const sseOnly = { ...headers, Accept: 'text/event-stream' };
      const bridge = await seen(await postMcp(`${stack.url}${path}`, token, JSON.stringify(body), sseOnly));
      expect(bridge).toEqual(await sdkAnswer(path, body, headers, true));
    },
  );

  it('a client that accepts only JSON gets the JSON answer', async () => {
    const body = call(15, 'list_companies');
    const bridge = await seen(
      await postMcp(`${stack.url}${path}`, token, JSON.stringify(body), { Accept: 'application/json' }),
    );
    expect(bridge).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(bridge).toEqual(await sdkAnswer(path, body, {}, false));
  });
});

// On `/mcp` an `initialize` without a session opens one; on `/messages` it is answered statelessly.
describe('initialize on /messages', () => {
  it.each([false, true])('is answered as the SDK answers it (SSE: %s)', async (sse) => {
    const headers: Record<string, string> = sse ? { Accept: 'text/event-stream' } : {};
    const bridge = await seen(await postMcp(`${stack.url}/messages`, token, JSON.stringify(initialize), headers));
    expect(bridge).toEqual(await sdkAnswer('/messages', initialize, {}, sse));
  });
});
