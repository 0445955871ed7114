import { type IncomingMessage, request } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  countingVerify,
  handlerGuards,
  serveBeforeExpress,
  serversClosedAfterEach,
  verifyGoodToken,
} from '../../../test/helpers/before-express.js';
import { MAX_JSON_DEPTH } from '../inbound/body.js';
import { createLogger, silentLogger } from '../../telemetry/logger.js';
import { createMetrics } from '../../telemetry/metrics.js';
import type { McpPost } from '../caller.js';
import { type PostHandlerDeps, createPostHandler } from './post.js';

const running = serversClosedAfterEach();
const verify = verifyGoodToken;

const CALL = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_companies', arguments: {} } };

/**
 * A node:http server with the lane in front and a stand-in for express behind it (status 299). The
 * stand-in answers with what express would be given: the body the lane read (`req.body`) or, when the
 * lane read nothing, the raw body it reads itself.
 */
async function serve(
  options: { ratePerUser?: number; config?: Partial<PostHandlerDeps['config']>; verify?: typeof verify } = {},
) {
  const { metrics, admit, checkToken, refuse } = handlerGuards(options.ratePerUser, options.verify ?? verify);
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  });
  const config = {
    host: '127.0.0.1',
    publicUrl: 'http://127.0.0.1',
    otelEndpoint: undefined,
    maxBodyBytes: 1_000,
    legacySse: true,
    ...options.config,
  };
  const lane = createPostHandler({
    config,
    checkToken,
    refuse,
    admit,
    logger,
    metrics,
    clientIp: (req) => req.socket.remoteAddress,
    serve: async (path, _req, res, post: McpPost, sessionId) => {
      const echo = { path, sessionId, body: post.body, sub: post.caller?.sub, token: post.caller?.token };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(echo));
    },
    refuseNonJsonRpc: (res) => res.writeHead(400).end('not JSON-RPC'),
  });
  if (!lane) throw new Error('the lane should be built');
  const url = await serveBeforeExpress(running, lane, async (req, res) => {
    const read = req as IncomingMessage & { body?: unknown };
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    res.writeHead(299, { 'Content-Type': 'application/json' }).end(JSON.stringify({ body: read.body, raw }));
  });
  return { url, lines };
}

/** A POST with node:http, which (unlike fetch) sends any Host header it is given. */
function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const sent = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer good', ...headers },
    });
    sent.once('error', reject);
    sent.once('response', async (answer) => {
      let text = '';
      for await (const chunk of answer) text += String(chunk);
      const list = Object.entries(answer.headers).map(([name, value]): [string, string] => [name, String(value)]);
      resolve(new Response(text, { status: answer.statusCode, headers: list }));
    });
    sent.end(body);
  });
}

describe('the MCP POST lane', () => {
  it('serves a plain POST /mcp with the caller, a request id, Vary and the CORS origin headers', async () => {
    const { url, lines } = await serve();
    const response = await post(`${url}/mcp`, JSON.stringify(CALL), {
      origin: 'https://chatgpt.com',
      'x-request-id': 'req-1',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/mcp', body: CALL, sub: 'alice', token: 'good' });
    expect(response.headers.get('x-request-id')).toBe('req-1');
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://chatgpt.com');
    expect(response.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    await expect
      .poll(() => lines.find((line) => line['msg'] === 'request'))
      .toMatchObject({
        reqId: 'req-1',
        method: 'POST',
        route: '/mcp',
        status: 200,
        sub: 'alice',
        mcpMethod: 'tools/call',
        mcpId: 7,
        tool: 'list_companies',
      });
  });

  it('logs no JSON-RPC id that is not a string or a number (the access line is written without redaction)', async () => {
    const { url, lines } = await serve();
    const response = await post(`${url}/mcp`, JSON.stringify({ ...CALL, id: { token: 'secret-in-id' } }));
    expect(response.status).toBe(400);
    await expect.poll(() => lines.find((entry) => entry['msg'] === 'request')).toBeDefined();
    const logged = lines.find((entry) => entry['msg'] === 'request')!;
    expect(logged['mcpMethod']).toBe('tools/call');
    expect(logged).not.toHaveProperty('mcpId');
    expect(JSON.stringify(lines)).not.toContain('secret-in-id');
  });

  it('passes /messages?sessionId=… on with its session, and /messages alone without one', async () => {
    const { url } = await serve();
    const withSession = await post(`${url}/messages?sessionId=abc%20d`, JSON.stringify(CALL));
    expect((await withSession.json()) as object).toMatchObject({ path: '/messages', sessionId: 'abc d' });
    const direct = await post(`${url}/messages`, JSON.stringify(CALL));
    // No sessionId key at all: the lane passes none.
    expect(await direct.json()).toEqual({ path: '/messages', body: CALL, sub: 'alice', token: 'good' });
  });

  it('reads a body that starts with a UTF-8 byte order mark, as body-parser does', async () => {
    const { url } = await serve();
    const response = await post(`${url}/mcp`, `\uFEFF${JSON.stringify(CALL)}`, {
      'content-type': 'application/json; charset=UTF-8',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { body: unknown }).body).toEqual(CALL);
  });

  it('answers a body that is not JSON with the JSON-RPC parse error, whatever the token', async () => {
    const { url, lines } = await serve();
    for (const authorization of ['Bearer good', 'Bearer bad']) {
      const response = await post(`${url}/mcp`, '{"jsonrpc": "2.0",', { authorization });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(((await response.json()) as { error: unknown }).error).toEqual({
        code: -32700,
        message: 'Parse error: the request body is not valid JSON',
      });
    }
    await expect.poll(() => lines.filter((line) => line['status'] === 400).length).toBe(2);
  });

  it('answers valid JSON that is not JSON-RPC with the route’s own refusal', async () => {
    const { url } = await serve();
    const response = await post(`${url}/mcp`, '{"hello":"world"}');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('not JSON-RPC');
  });

  it('counts the user’s requests and answers 429 with Retry-After and RateLimit headers past the limit', async () => {
    const { url } = await serve({ ratePerUser: 1 });
    const first = await post(`${url}/mcp`, JSON.stringify(CALL));
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('1');
    expect(first.headers.get('ratelimit-remaining')).toBe('0');
    const second = await post(`${url}/mcp`, JSON.stringify(CALL));
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(second.headers.get('ratelimit-policy')).toBe('1;w=60');
    expect(await second.json()).toMatchObject({ error: 'rate_limited', retry_after_seconds: expect.any(Number) });
  });

  it('answers a token the gate refuses with the challenge of the route, without express', async () => {
    const { url } = await serve();
    const cases: Array<{ path: string; body: unknown; headers?: Record<string, string> }> = [
      { path: '/mcp', body: CALL, headers: { authorization: 'Bearer bad' } },
      { path: '/mcp', body: CALL, headers: { authorization: '' } },
      { path: '/mcp', body: CALL, headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } },
      { path: '/mcp', body: { ...CALL, access_token: 'good' } },
      { path: '/messages', body: CALL, headers: { authorization: 'Bearer bad' } },
    ];
    for (const { path, body, headers } of cases) {
      const response = await post(`${url}${path}`, JSON.stringify(body), headers);
      expect(response.status).toBe(401);
      const metadata = `http://127.0.0.1/.well-known/oauth-protected-resource/${path === '/mcp' ? 'mcp' : 'sse'}`;
      expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${metadata}"`);
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('leaves a request it read to express with the parsed body when the depth check would refuse it', async () => {
    const { url } = await serve();
    const deep = JSON.parse(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`);
    const body = { ...CALL, params: { name: 'x', arguments: { deep } } };
    const response = await post(`${url}/mcp`, JSON.stringify(body));
    expect(response.status).toBe(299);
    expect(await response.json()).toEqual({ body, raw: '' });
  });

  it('logs a request whose client left in the middle of its body, with status 499', async () => {
    const { url, lines } = await serve();
    const body = JSON.stringify(CALL);
    const sent = request(`${url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        authorization: 'Bearer good',
        'x-request-id': 'left-early',
      },
    });
    sent.once('error', () => undefined); // the client itself hangs up
    sent.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    sent.destroy();
    await expect
      .poll(() => lines.find((line) => line['msg'] === 'request'))
      .toMatchObject({
        reqId: 'left-early',
        route: '/mcp',
        status: 499,
      });
  });

  it('checks a refused token once and answers the refusal itself', async () => {
    const { checked, verify: counted } = countingVerify();
    const { url } = await serve({ verify: counted });
    const response = await post(`${url}/mcp`, JSON.stringify(CALL), { authorization: 'Bearer forged' });
    expect(response.status).toBe(401);
    expect(checked).toEqual(['forged']);
  });

  it('leaves a request it cannot read as it stands to express without reading it', async () => {
    const { url } = await serve();
    const body = JSON.stringify(CALL);
    const cases: Array<{ path?: string; headers?: Record<string, string>; body?: string }> = [
      { headers: { 'content-type': 'text/plain' } },
      { headers: { 'content-type': 'application/json; charset=utf-16' } },
      { headers: { 'content-encoding': 'gzip' } },
      { headers: { host: 'evil.example' } },
      { path: '/mcp?access_token=good' },
      { path: '/messages?sessionId=a&sessionId=b' },
      { path: '/messages?sessionId=a&token=good' },
      { path: '/mcp/' },
      { body: JSON.stringify({ ...CALL, params: { name: 'x'.repeat(1_000), arguments: {} } }) },
    ];
    for (const { path = '/mcp', headers, body: sent = body } of cases) {
      const response = await post(`${url}${path}`, sent, headers);
      expect(response.status, JSON.stringify({ path, headers })).toBe(299);
      expect(await response.json()).toEqual({ raw: sent });
    }
  });

  it('leaves legacy SSE messages to express when the legacy transport is off, and is not built with tracing on', async () => {
    const { url } = await serve({ config: { legacySse: false } });
    const response = await post(`${url}/messages?sessionId=abc`, JSON.stringify(CALL));
    expect(response.status).toBe(299);
    const direct = await post(`${url}/messages`, JSON.stringify(CALL));
    expect(direct.status).toBe(200);

    const traced = createPostHandler({
      config: {
        host: '127.0.0.1',
        publicUrl: 'http://127.0.0.1',
        otelEndpoint: 'http://127.0.0.1:4318',
        maxBodyBytes: 1_000,
        legacySse: true,
      },
      ...handlerGuards(),
      logger: silentLogger(),
      metrics: createMetrics(),
      clientIp: () => undefined,
      serve: async () => {},
      refuseNonJsonRpc: () => {},
    });
    expect(traced).toBeUndefined();
  });
});
