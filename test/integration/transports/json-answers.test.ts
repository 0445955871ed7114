/**
 * POSTs answered with JSON (stateless 2025-era requests, `/messages` without a session, session POSTs
 * from clients that accept only JSON): the rules the SDK's Streamable HTTP transport applies, kept by
 * the bridge's own JSON carriage (src/mcp/post-transport.ts).
 */
import { describe, expect, it } from 'vitest';
import { postMcp } from '../../helpers/mcp-post.js';
import { useStack } from '../../helpers/use-stack.js';

const running = useStack();

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return postMcp(`${running.stack.url}${path}`, running.token, JSON.stringify(body), headers);
}

const ping = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'ping' });
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
};

describe.each(['/mcp', '/messages'])('JSON answers on %s', (path) => {
  it('answers a request with JSON and its id', async () => {
    const response = await post(path, ping(7));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
  });

  it('answers a batch in request order, with unknown methods as JSON-RPC errors', async () => {
    const response = await post(path, [ping('b'), { jsonrpc: '2.0', id: 'a', method: 'no/such' }, ping(3)]);
    expect(response.status).toBe(200);
    const answers = (await response.json()) as Array<{ id: unknown; result?: unknown; error?: { code: number } }>;
    expect(answers.map((answer) => answer.id)).toEqual(['b', 'a', 3]);
    expect(answers[1]?.error?.code).toBe(-32601);
    expect(answers[2]?.result).toEqual({});
  });

  it('answers notifications only with 202 and no body', async () => {
    const response = await post(path, { jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
  });

  it('refuses an unsupported MCP-Protocol-Version header, naming it and the supported ones', async () => {
    const response = await post(path, ping(1), { 'MCP-Protocol-Version': '1999-01-01' });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: number; message: string } };
    expect(error.code).toBe(-32000);
    expect(error.message).toContain('Unsupported protocol version: 1999-01-01');
    expect(error.message).toContain('2025-11-25');
  });

  it('refuses a batch of more than 100 messages', async () => {
    const response = await post(
      path,
      Array.from({ length: 101 }, (_, i) => ping(i)),
    );
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: number; message: string } };
    expect(error).toMatchObject({ code: -32600 });
    expect(error.message).toContain('must not exceed 100');
  });

  it('refuses initialize batched with other messages', async () => {
    const response = await post(path, [initialize, ping(2)]);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: number; message: string } };
    expect(error).toMatchObject({ code: -32600, message: expect.stringContaining('Only one initialization') });
  });
});

describe('a session POST from a client that accepts only JSON', () => {
  it('is answered with JSON carrying the session id', async () => {
    const opened = await post('/mcp', initialize, { Accept: 'application/json' });
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get('mcp-session-id');
    expect(sessionId).toBeTruthy();
    const response = await post('/mcp', ping(9), { Accept: 'application/json', 'Mcp-Session-Id': sessionId! });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBe(sessionId);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
  });
});
