/**
 * How a POST's body is framed or encoded must not change its answer: the same request sent with a
 * Content-Length, chunked, or gzip-compressed gets the same answer from the front door
 * (src/mcp/front-door), and so do the refusals that depend on the body (a bad token, a token in the
 * body, a body nested too deep).
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useStack } from '../../helpers/use-stack.js';

const running = useStack('alice', { env: { MCP_RATE_LIMIT_PER_USER: '1000' } });

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that differ between any two answers (time, ids, a counter), left out of comparisons. */
const VARYING = new Set(['date', 'x-request-id', 'ratelimit-remaining', 'ratelimit-reset']);

/** A POST with node:http: `chunked` sends the body without a Content-Length. */
function post(
  path: string,
  body: string | Buffer,
  options: { chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${running.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...options.headers,
    };
    if (!options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const sent = request(`${running.stack.url}${path}`, { method: 'POST', headers });
    sent.once('error', reject);
    sent.once('response', async (response) => {
      let text = '';
      for await (const chunk of response) text += String(chunk);
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (!VARYING.has(name)) kept[name] = String(value);
      }
      resolve({ status: response.statusCode ?? 0, headers: kept, body: text });
    });
    if (options.chunked) sent.write(body.slice(0, 5));
    sent.end(options.chunked ? body.slice(5) : body);
  });
}

const message = (method: string, params?: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: '2.0', id: 3, method, ...(params ? { params } : {}) });

describe('a body with a Content-Length and a chunked one get the same answer', () => {
  it.each([
    ['tools/list on /mcp', '/mcp', message('tools/list'), 200],
    ['tools/list on /messages', '/messages', message('tools/list'), 200],
    ['an unknown tool', '/mcp', message('tools/call', { name: 'no_such_tool', arguments: {} }), 200],
    ['JSON that is not JSON-RPC', '/mcp', '{"hello":"world"}', 400],
    ['broken JSON', '/mcp', '{"jsonrpc":"2.0",', 400],
    ['an unknown legacy SSE session', '/messages?sessionId=nope', message('tools/list'), 404],
  ])('%s', async (_name, path, body, status) => {
    const withLength = await post(path, body);
    const chunked = await post(path, body, { chunked: true });
    expect(withLength.status).toBe(status);
    expect(withLength).toEqual(chunked);
  });

  it('a tool call answers the same data both ways', async () => {
    const call = message('tools/call', { name: 'list_companies', arguments: {} });
    const withLength = await post('/mcp', call);
    const chunked = await post('/mcp', call, { chunked: true });
    expect(withLength.status).toBe(200);
    expect(JSON.parse(withLength.body)).toEqual(JSON.parse(chunked.body));
    expect(JSON.parse(withLength.body).result.structuredContent.data.length).toBeGreaterThan(0);
  });
});

describe('refusals that depend on the body', () => {
  it('a bad token gets the 401 challenge', async () => {
    const answer = await post('/mcp', message('tools/list'), { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('a token in the JSON body besides the header gets 401 naming both places', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', access_token: running.token });
    const answer = await post('/mcp', body);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error_description).toBe(
      'a token was sent in the Authorization header and in the body field access_token; send it only in the header',
    );
    expect(answer.body).not.toContain(running.token);
  });

  it('a body nested too deeply gets the Invalid Request that names the limit', async () => {
    const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
    const answer = await post('/mcp', `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":${deep}}}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.message).toMatch(/nested too deeply \(more than 64 levels/);
  });

  it('a gzip-compressed body is inflated and answered', async () => {
    const answer = await post('/mcp', gzipSync(message('tools/list')), { headers: { 'content-encoding': 'gzip' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).result.tools.length).toBeGreaterThan(5);
  });
});
