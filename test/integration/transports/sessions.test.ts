import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpPostInit, postMcp } from '../../helpers/mcp-post.js';
import { openSse } from '../../helpers/sse.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
let alice: string;
let bob: string;

beforeAll(async () => {
  stack = await startStack({ env: { MCP_MAX_SSE_STREAMS_PER_USER: '2', MCP_KEEPALIVE_MS: '200' } });
  [alice, bob] = await Promise.all([stack.tokenFor('alice'), stack.tokenFor('bob')]);
});
afterAll(() => stack?.close());

function post(token: string, body: unknown, headers: Record<string, string> = {}) {
  return postMcp(`${stack.url}/mcp`, token, JSON.stringify(body), headers);
}

async function initialize(token: string, protocolVersion = '2025-11-25'): Promise<string> {
  const response = await post(token, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'test', version: '1' } },
  });
  expect(response.status).toBe(200);
  const sessionId = response.headers.get('mcp-session-id');
  expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
  await response.text();
  return sessionId!;
}

describe('Streamable HTTP sessions', () => {
  it('binds a session to its user: another token gets 404 and nothing of the session', async () => {
    const sessionId = await initialize(alice);
    const stolen = await post(bob, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'Mcp-Session-Id': sessionId });
    expect(stolen.status).toBe(404);
    const body = (await stolen.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32001);
    expect(JSON.stringify(body)).not.toContain('list_companies');
    const own = await post(alice, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'Mcp-Session-Id': sessionId });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('list_companies');
    const stolenStream = await fetch(`${stack.url}/mcp`, {
      headers: { Authorization: `Bearer ${bob}`, Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId },
    });
    expect(stolenStream.status).toBe(404);
  });

  it('answers JSON or SSE as the client accepts', async () => {
    const sessionId = await initialize(alice);
    const json = await post(
      alice,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { 'Mcp-Session-Id': sessionId, Accept: 'application/json' },
    );
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.text()).toContain('list_companies');
    const sse = await post(
      alice,
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      { 'Mcp-Session-Id': sessionId, Accept: 'text/event-stream' },
    );
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await sse.text()).toContain('list_companies');
  });

  it('answers a client that accepts both with JSON when quick, with a resumable stream when slow', async () => {
    const sessionId = await initialize(alice);
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'list_companies', arguments: {} },
    });
    const quick = await post(alice, call(2), { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' });
    expect(quick.headers.get('content-type')).toMatch(/^application\/json/);
    expect(quick.headers.get('mcp-session-id')).toBe(sessionId);
    expect(await quick.json()).toMatchObject({ id: 2, result: { content: expect.any(Array) } });
    // Slower than MCP_STREAM_AFTER_MS (1 s by default): the answer comes on a stream that opened with a priming event.
    stack.sandbox.faults.set({ route: 'listCompanies', kind: 'latency', latencyMs: 1_300, times: 1 });
    try {
      const slow = await openSse(
        `${stack.url}/mcp`,
        mcpPostInit(alice, JSON.stringify(call(3)), {
          'Mcp-Session-Id': sessionId,
          'MCP-Protocol-Version': '2025-11-25',
        }),
      );
      expect(slow.headers.get('content-type')).toBe('text/event-stream');
      expect(await slow.next(5_000)).toMatchObject({ data: '', id: expect.any(String) });
      const answer = await slow.next(5_000);
      expect(answer.id).toBeTruthy();
      expect(JSON.parse(answer.data)).toMatchObject({ id: 3, result: { content: expect.any(Array) } });
      slow.close();
    } finally {
      stack.sandbox.faults.clear();
    }
  });

  it('ends a session on DELETE, only for its owner', async () => {
    const sessionId = await initialize(alice);
    const headers = (token: string) => ({ Authorization: `Bearer ${token}`, 'Mcp-Session-Id': sessionId });
    expect((await fetch(`${stack.url}/mcp`, { method: 'DELETE', headers: headers(bob) })).status).toBe(404);
    expect((await fetch(`${stack.url}/mcp`, { method: 'DELETE', headers: headers(alice) })).status).toBe(200);
    const after = await post(alice, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'Mcp-Session-Id': sessionId });
    expect(after.status).toBe(404);
  });

  it('resumes a dropped response with Last-Event-ID, and never across sessions', async () => {
    const sessionId = await initialize(alice);
    const headers = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25', Accept: 'text/event-stream' };
    const stream = await openSse(`${stack.url}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    const priming = await stream.next();
    expect(priming.id).toBeTruthy();
    stream.close();

    const resumed = await openSse(`${stack.url}/mcp`, {
      headers: { Authorization: `Bearer ${alice}`, ...headers, 'Last-Event-ID': priming.id! },
    });
    expect(resumed.status).toBe(200);
    const replayed = await resumed.next();
    expect(JSON.parse(replayed.data)).toMatchObject({ id: 7, result: { tools: expect.any(Array) } });
    resumed.close();

    const otherSession = await initialize(alice);
    const crossed = await fetch(`${stack.url}/mcp`, {
      headers: {
        Authorization: `Bearer ${alice}`,
        ...headers,
        'Mcp-Session-Id': otherSession,
        'Last-Event-ID': priming.id!,
      },
    });
    expect(crossed.status).toBe(400);
  });

  it('opens the server stream (GET) within a session and sends keep-alives', async () => {
    const sessionId = await initialize(alice);
    const stream = await openSse(`${stack.url}/mcp`, {
      headers: { Authorization: `Bearer ${alice}`, Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId },
    });
    expect(stream.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(stream.comments()).toBeGreaterThan(0);
    stream.close();
  });

  it('challenges every method on the MCP routes before judging it: no token, 401 with WWW-Authenticate', async () => {
    for (const [method, path] of [
      ['GET', '/mcp'],
      ['PUT', '/mcp'],
      ['POST', '/sse'],
      ['GET', '/messages'],
    ] as const) {
      const response = await fetch(`${stack.url}${path}`, { method, headers: { Accept: 'text/html' } });
      expect(response.status, `${method} ${path}`).toBe(401);
      const metadata = path === '/mcp' ? 'mcp' : 'sse';
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${stack.url}/.well-known/oauth-protected-resource/${metadata}"`,
      );
    }
  });

  it('answers GET /mcp without a session with 405 and Allow, never 404', async () => {
    const response = await fetch(`${stack.url}/mcp`, {
      headers: { Authorization: `Bearer ${alice}`, Accept: 'text/event-stream' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('POST');
  });

  it('answers a claim-less server/discover with a clean JSON -32601, so ChatGPT falls back to initialize', async () => {
    const response = await post(alice, { jsonrpc: '2.0', id: 'openai-mcp-discover', method: 'server/discover' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 'openai-mcp-discover',
      error: { code: -32601, message: 'Method not found' },
    });
  });
});

describe('legacy HTTP+SSE sessions', () => {
  async function openLegacy(token: string) {
    const stream = await openSse(`${stack.url}/sse`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    const endpoint = await stream.next();
    expect(endpoint.event).toBe('endpoint');
    expect(endpoint.data).toMatch(/^\/messages\?sessionId=[A-Za-z0-9_-]{43}$/);
    return { stream, endpoint: endpoint.data };
  }

  function postMessage(token: string, endpoint: string, body: unknown) {
    return fetch(`${stack.url}${endpoint}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  it('routes a POST to its stream (202) and refuses another user, who reaches nothing', async () => {
    const { stream, endpoint } = await openLegacy(alice);
    const intruder = await postMessage(bob, endpoint, { jsonrpc: '2.0', id: 'from-bob', method: 'tools/list' });
    expect(intruder.status).toBe(404);
    const accepted = await postMessage(alice, endpoint, { jsonrpc: '2.0', id: 'from-alice', method: 'tools/list' });
    expect(accepted.status).toBe(202);
    const reply = await stream.next();
    expect(JSON.parse(reply.data)).toMatchObject({ id: 'from-alice', result: { tools: expect.any(Array) } });
    await expect(stream.next(300)).rejects.toThrow(/no SSE event/);
    stream.close();
  });

  it('bounds streams per user with a clear 503', async () => {
    const first = await openLegacy(bob);
    const second = await openLegacy(bob);
    const third = await fetch(`${stack.url}/sse`, {
      headers: { Authorization: `Bearer ${bob}`, Accept: 'text/event-stream' },
    });
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(/limit per user is 2/);
    first.stream.close();
    second.stream.close();
  });

  it('answers one request in the HTTP response on POST /messages without a session, and 405 on GET', async () => {
    const response = await postMessage(alice, '/messages', { jsonrpc: '2.0', id: 5, method: 'tools/list' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 5, result: { tools: expect.any(Array) } });
    const get = await fetch(`${stack.url}/messages`, { headers: { Authorization: `Bearer ${alice}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('explains itself when the legacy transport is disabled', async () => {
    const instance = await stack.startInstance({ MCP_LEGACY_SSE: 'false' });
    const response = await fetch(`${instance.url}/sse`, { headers: { Authorization: `Bearer ${alice}` } });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/disabled.*\/mcp/);
  });
});
