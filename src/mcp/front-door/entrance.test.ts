import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EXPRESS_STATUS,
  countingVerify,
  handlerGuards,
  loggedLines,
  serveFrontDoor,
  serversClosedAfterEach,
  verifyGoodToken,
} from '../../../test/helpers/gate-stand-in.js';
import { openSse } from '../../../test/helpers/sse.js';
import type { VerifiedToken } from '../../auth/index.js';
import { loadConfig } from '../../config/index.js';
import { silentLogger } from '../../telemetry/logger.js';
import { MAX_JSON_DEPTH } from '../inbound/body.js';
import { type McpPath, type McpRoute, createMcpRoutes } from '../routes.js';
import { createMcpEntrance } from './entrance.js';

const running = serversClosedAfterEach();
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

const CALL = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_companies', arguments: {} } };
const MAX_BODY_BYTES = 1_000;

/**
 * The route of `path` with its `serve` replaced by an echo of what the entrance handed it: which path, the
 * parsed body, the caller, the request id, the query and how the body came (`Transfer-Encoding`). Everything
 * else (its protected resource, when it is switched off, which methods it serves) is the real route's.
 * What the routes do with a request is covered by the integration tests; these are about the entrance.
 */
function echoing(route: McpRoute, path: McpPath): McpRoute {
  return {
    ...route,
    serve: async (req, res, post, query) => {
      const echo = {
        path,
        body: post.body,
        sub: post.caller?.sub,
        token: post.caller?.token,
        requestId: post.requestId,
        query: [...query],
        transferEncoding: req.headers['transfer-encoding'],
      };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(echo));
    },
  };
}

/**
 * The front door on loopback with the entrance built as the app builds it: the real gate (tokens checked
 * with `verify`), rate limiter and MCP routes, the POST paths echoing (`echoing`) and `GET /sse` real, and
 * a stand-in for express behind it. `env` adds to or replaces the configuration.
 */
async function serve(
  env: Record<string, string> = {},
  verify: (token: string) => Promise<VerifiedToken> = verifyGoodToken,
) {
  const config = loadConfig({
    HOST: '127.0.0.1',
    MCP_PUBLIC_URL: 'http://127.0.0.1',
    MCP_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    MCP_KEEPALIVE_MS: '100',
    MCP_RATE_LIMIT_PER_USER: '0',
    MCP_RATE_LIMIT_PER_IP: '0',
    ...env,
  });
  const guards = handlerGuards(config, verify);
  const { logger, lines } = loggedLines();
  const routes = createMcpRoutes({
    build: () => {
      throw new Error('no message reaches an MCP server in these tests');
    },
    config,
    store: guards.store,
    metrics: guards.metrics,
    logger: silentLogger(),
    toolsets: [],
    guards: { rateLimitCheck: guards.rateLimitCheck, clientIp: guards.clientIp },
  });
  closing.push(async () => {
    await routes.closeStreams();
    await routes.close();
    await guards.store.close();
  });
  const { paths } = routes;
  const entrance = createMcpEntrance({
    config,
    routes: {
      paths: {
        '/mcp': echoing(paths['/mcp'], '/mcp'),
        '/mcp/readonly': echoing(paths['/mcp/readonly'], '/mcp/readonly'),
        '/sse': paths['/sse'],
        '/messages': echoing(paths['/messages'], '/messages'),
      },
      allowAnonymous: routes.allowAnonymous,
    },
    checkToken: guards.checkToken,
    refuse: guards.refuse,
    countChecked: guards.countChecked,
    logger,
    metrics: guards.metrics,
    clientIp: guards.clientIp,
  });
  const url = await serveFrontDoor(running, entrance);
  return { url, lines, routes, store: guards.store };
}

/** A request as `send` sends it; a header given as undefined is not sent, a body given as a list goes in chunks. */
interface Sent {
  method?: string;
  path?: string;
  body?: string | Buffer | Array<string | Buffer>;
  headers?: Record<string, string | undefined>;
}

/**
 * A request with node:http, which (unlike fetch) sends any Host header and any body bytes, and sends a
 * body given as a list chunked. By default: `POST /mcp` of CALL, JSON, with alice's token.
 */
function send(url: string, { method = 'POST', path = '/mcp', body = JSON.stringify(CALL), headers = {} }: Sent = {}) {
  const sentHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries({
    'content-type': 'application/json',
    authorization: 'Bearer good',
    // Declared, so a body sent with GET is framed too: node sends GET's body without a length otherwise.
    ...(Array.isArray(body) ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
    ...headers,
  })) {
    if (value !== undefined) sentHeaders[name] = value;
  }
  return new Promise<Response>((resolve, reject) => {
    const sent = request(`${url}${path}`, { method, headers: sentHeaders });
    sent.once('error', reject);
    sent.once('response', async (answer) => {
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(chunk as Buffer);
      const list = Object.entries(answer.headers).map(([name, value]): [string, string] => [name, String(value)]);
      const status = answer.statusCode ?? 0;
      resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers: list }));
    });
    if (Array.isArray(body)) {
      for (const chunk of body) sent.write(chunk);
      sent.end();
    } else {
      sent.end(body);
    }
  });
}

/** The JSON-RPC error of an answer. */
async function errorOf(response: Response): Promise<{ code: number; message: string }> {
  return ((await response.json()) as { error: { code: number; message: string } }).error;
}

/** The echo of a request an echoing route served. */
async function echoOf(response: Response): Promise<Record<string, unknown>> {
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('the MCP entrance: a POST it serves', () => {
  it('serves a POST /mcp with the caller, a request id, Vary and the CORS origin headers, and logs it', async () => {
    const { url, lines } = await serve();
    const response = await send(url, { headers: { origin: 'https://chatgpt.com', 'x-request-id': 'req-1' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      path: '/mcp',
      body: CALL,
      sub: 'alice',
      token: 'good',
      requestId: 'req-1',
      query: [],
    });
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

  it('makes up a request id for a client that sent none or one that is not short and plain', async () => {
    const { url } = await serve();
    for (const sent of [undefined, 'has space', 'x'.repeat(129)]) {
      const response = await send(url, { headers: { 'x-request-id': sent } });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await echoOf(response))['requestId']).toBe(id);
    }
  });

  it('serves every MCP path in any case and with one trailing slash, handing the route its query', async () => {
    const { url } = await serve();
    const served = async (path: string) => (await echoOf(await send(url, { path })))['path'];
    expect(await served('/MCP/')).toBe('/mcp');
    expect(await served('/mcp/readonly?toolsets=orders')).toBe('/mcp/readonly');
    expect(await served('/messages')).toBe('/messages');
    const withSession = await echoOf(await send(url, { path: '/messages?sessionId=abc%20d' }));
    expect(withSession['query']).toEqual([['sessionId', 'abc d']]);
    const twoSessions = await echoOf(await send(url, { path: '/messages?sessionId=a&sessionId=b' }));
    expect(twoSessions['query']).toEqual([
      ['sessionId', 'a'],
      ['sessionId', 'b'],
    ]);
  });

  it('leaves every other path to express, unread and unchecked', async () => {
    const { checked, verify } = countingVerify();
    const { url } = await serve({}, verify);
    for (const path of ['/health', '/mcp/other', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await send(url, { path, headers: { authorization: 'Bearer forged' } });
      expect(response.status, path).toBe(EXPRESS_STATUS);
      expect(await response.text()).toBe(`express: POST ${path}`);
    }
    expect(checked).toEqual([]);
  });

  it('verifies the token once per request', async () => {
    const { checked, verify } = countingVerify();
    const { url } = await serve({}, verify);
    // A new connection each time: a keep-alive connection remembers the token it accepted (verify-once.ts).
    expect((await send(url, { headers: { connection: 'close' } })).status).toBe(200);
    expect(checked).toEqual(['good']);
    expect((await send(url, { headers: { authorization: 'Bearer forged', connection: 'close' } })).status).toBe(401);
    expect(checked).toEqual(['good', 'forged']);
  });

  it('logs no JSON-RPC id that is not a string or a number (the access line is written without redaction)', async () => {
    const { url, lines } = await serve();
    const response = await send(url, { body: JSON.stringify({ ...CALL, id: { token: 'secret-in-id' } }) });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(-32600);
    await expect.poll(() => lines.find((entry) => entry['msg'] === 'request')).toBeDefined();
    const logged = lines.find((entry) => entry['msg'] === 'request')!;
    expect(logged['mcpMethod']).toBe('tools/call');
    expect(logged).not.toHaveProperty('mcpId');
    expect(JSON.stringify(lines)).not.toContain('secret-in-id');
  });

  it('answers valid JSON that is not JSON-RPC with Invalid Request (-32600), naming the shape it wants', async () => {
    const { url } = await serve();
    for (const body of ['{"hello":"world"}', '[]', '42', '{"jsonrpc":"2.0","id":3}']) {
      const response = await send(url, { body });
      expect(response.status, body).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe(-32600);
      expect(error.message).toContain('JSON-RPC 2.0 message');
    }
  });

  it('serves anonymous discovery without a token where the deployment allows it, and nothing else', async () => {
    const { url } = await serve({ MCP_ALLOW_ANONYMOUS_DISCOVERY: 'true' });
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const anonymous = await echoOf(
      await send(url, { body: JSON.stringify(list), headers: { authorization: undefined } }),
    );
    expect(anonymous).toMatchObject({ body: list });
    expect(anonymous['sub']).toBeUndefined();
    const call = await send(url, { headers: { authorization: undefined } });
    expect(call.status).toBe(401);
  });

  it('counts the user’s requests and answers 429 with Retry-After and RateLimit headers past the limit', async () => {
    const { url } = await serve({ MCP_RATE_LIMIT_PER_USER: '1' });
    const first = await send(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('1');
    expect(first.headers.get('ratelimit-remaining')).toBe('0');
    const second = await send(url, { headers: { 'x-request-id': 'over' } });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(second.headers.get('ratelimit-policy')).toBe('1;w=60');
    expect(second.headers.get('x-request-id')).toBe('over');
    expect(await second.json()).toMatchObject({ error: 'rate_limited', retry_after_seconds: expect.any(Number) });
  });

  it('answers a refused token with the challenge of the path’s resource, readable by a browser', async () => {
    const { url } = await serve();
    const cases: Array<{
      path: string;
      resource: string;
      body?: unknown;
      headers: Record<string, string | undefined>;
    }> = [
      { path: '/mcp', resource: 'mcp', headers: { authorization: 'Bearer bad' } },
      { path: '/mcp', resource: 'mcp', headers: { authorization: undefined } },
      { path: '/mcp', resource: 'mcp', headers: { authorization: '' } },
      { path: '/mcp', resource: 'mcp', headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } },
      // A token in the body is refused, alone or beside the header.
      { path: '/mcp', resource: 'mcp', body: { ...CALL, access_token: 'good' }, headers: { authorization: undefined } },
      { path: '/mcp', resource: 'mcp', body: { ...CALL, access_token: 'good' }, headers: {} },
      { path: '/mcp/readonly', resource: 'mcp/readonly', headers: { authorization: 'Bearer bad' } },
      { path: '/messages', resource: 'sse', headers: { authorization: 'Bearer bad' } },
    ];
    for (const { path, resource, body = CALL, headers } of cases) {
      const response = await send(url, {
        path,
        body: JSON.stringify(body),
        headers: { origin: 'https://app.example', ...headers },
      });
      const name = JSON.stringify({ path, headers, body });
      expect(response.status, name).toBe(401);
      const metadata = `http://127.0.0.1/.well-known/oauth-protected-resource/${resource}`;
      expect(response.headers.get('www-authenticate'), name).toContain(`resource_metadata="${metadata}"`);
      expect(response.headers.get('x-request-id'), name).toBeTruthy();
      expect(response.headers.get('access-control-allow-origin'), name).toBe('https://app.example');
      expect(response.headers.get('access-control-expose-headers'), name).toContain('WWW-Authenticate');
    }
  });

  it('refuses a token sent in the query, alone or beside the header, naming where it was sent', async () => {
    const { url } = await serve();
    const cases: Array<[string, string | undefined, string]> = [
      ['/mcp?access_token=good', undefined, 'the token was sent in the query parameter access_token'],
      ['/mcp?token=good', undefined, 'the token was sent in the query parameter token'],
      ['/mcp?access_token=good', 'Bearer good', 'in the Authorization header and in the query parameter access_token'],
      [
        '/messages?sessionId=a&token=good',
        'Bearer good',
        'in the Authorization header and in the query parameter token',
      ],
    ];
    for (const [path, authorization, description] of cases) {
      const response = await send(url, { path, headers: { authorization } });
      const name = JSON.stringify({ path, authorization });
      expect(response.status, name).toBe(401);
      expect(response.headers.get('www-authenticate'), name).toContain('error="invalid_request"');
      expect(((await response.json()) as { error_description: string }).error_description, name).toContain(description);
    }
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
      .toMatchObject({ reqId: 'left-early', method: 'POST', route: '/mcp', status: 499 });
  });

  it('serves with tracing configured, on the traced path', async () => {
    const { url, lines } = await serve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect((await echoOf(await send(url)))['body']).toEqual(CALL);
    expect((await send(url, { headers: { authorization: 'Bearer bad' } })).status).toBe(401);
    const stream = await openSse(`${url}/sse`, { headers: { Authorization: 'Bearer good' } });
    expect((await stream.next()).event).toBe('endpoint');
    stream.close();
    await expect
      .poll(() => lines.filter((line) => line['msg'] === 'request').map((line) => [line['route'], line['status']]))
      .toEqual([
        ['/mcp', 200],
        ['/mcp', 401],
        ['/sse', 200],
      ]);
  });
});

describe('the MCP entrance: the body', () => {
  it('reads a gzip, deflate or br body', async () => {
    const { url } = await serve();
    const text = JSON.stringify(CALL);
    const encoded: Array<[string, Buffer]> = [
      ['gzip', gzipSync(text)],
      ['x-gzip', gzipSync(text)],
      ['GZIP', gzipSync(text)],
      ['deflate', deflateSync(text)],
      ['br', brotliCompressSync(text)],
      ['identity', Buffer.from(text)],
    ];
    for (const [encoding, body] of encoded) {
      const response = await send(url, { body, headers: { 'content-encoding': encoding } });
      expect((await echoOf(response))['body'], encoding).toEqual(CALL);
    }
  });

  it('reads a chunked body, compressed or not', async () => {
    const { url } = await serve();
    const text = JSON.stringify(CALL);
    const plain = await echoOf(await send(url, { body: [text.slice(0, 5), text.slice(5, 40), text.slice(40)] }));
    expect(plain).toMatchObject({ body: CALL, transferEncoding: 'chunked' });
    const zipped = gzipSync(text);
    const compressed = await echoOf(
      await send(url, { body: [zipped.subarray(0, 10), zipped.subarray(10)], headers: { 'content-encoding': 'gzip' } }),
    );
    expect(compressed).toMatchObject({ body: CALL, transferEncoding: 'chunked' });
  });

  it('reads a body that starts with a UTF-8 byte order mark, as body-parser does', async () => {
    const { url } = await serve();
    const response = await send(url, {
      body: `\uFEFF${JSON.stringify(CALL)}`,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    expect((await echoOf(response))['body']).toEqual(CALL);
  });

  it('reads a UTF-16 body, and refuses a charset JSON may not use (415)', async () => {
    const { url } = await serve();
    const call = { ...CALL, params: { name: 'list_companies', arguments: { city: 'Zürich ✓' } } };
    for (const charset of ['utf-16le', 'UTF-16', '"utf-16le"']) {
      const response = await send(url, {
        body: Buffer.from(JSON.stringify(call), 'utf16le'),
        headers: { 'content-type': `application/json; charset=${charset}` },
      });
      expect((await echoOf(response))['body'], charset).toEqual(call);
    }
    for (const charset of ['latin1', 'iso-8859-1', 'utf-7', 'nonsense']) {
      const response = await send(url, { headers: { 'content-type': `application/json; charset=${charset}` } });
      expect(response.status, charset).toBe(415);
      expect((await errorOf(response)).message, charset).toBe('Unsupported Media Type: send the body as UTF-8 JSON');
    }
  });

  it('refuses a body that is not JSON by its type (415), naming the type it got', async () => {
    const { url } = await serve();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const response = await send(url, { headers: { 'content-type': type } });
      expect(response.status, type).toBe(415);
      const error = await errorOf(response);
      expect(error.message, type).toContain('Content-Type: application/json');
      expect(error.message, type).toContain(JSON.stringify(type ?? 'none'));
    }
  });

  it('refuses a compression it cannot read (415) and a body that does not decompress (-32700)', async () => {
    const { url } = await serve();
    const unknown = await send(url, { headers: { 'content-encoding': 'compress' } });
    expect(unknown.status).toBe(415);
    expect((await errorOf(unknown)).message).toContain('Content-Encoding "compress" is not gzip, deflate or br');
    const twice = await send(url, {
      body: gzipSync(gzipSync(JSON.stringify(CALL))),
      headers: { 'content-encoding': 'gzip, gzip' },
    });
    expect(twice.status).toBe(415);
    const broken = await send(url, { headers: { 'content-encoding': 'gzip' } });
    expect(broken.status).toBe(400);
    expect(await errorOf(broken)).toEqual({
      code: -32700,
      message: 'Parse error: the request body could not be decompressed (Content-Encoding: gzip)',
    });
  });

  it('refuses a body over the limit (413): as declared, as sent in chunks, and once decompressed', async () => {
    const { url } = await serve();
    const large = JSON.stringify({ ...CALL, params: { name: 'x'.repeat(MAX_BODY_BYTES), arguments: {} } });
    // Small on the wire, over the limit once inflated.
    const padded = JSON.stringify({
      ...CALL,
      params: { name: 'x', arguments: { pad: ' '.repeat(5 * MAX_BODY_BYTES) } },
    });
    const zipped = gzipSync(padded);
    expect(zipped.length).toBeLessThan(MAX_BODY_BYTES);
    const cases: Sent[] = [
      { body: large },
      { body: [large.slice(0, 600), large.slice(600)] },
      { body: zipped, headers: { 'content-encoding': 'gzip' } },
      { body: brotliCompressSync(padded), headers: { 'content-encoding': 'br' } },
    ];
    for (const sent of cases) {
      const response = await send(url, sent);
      expect(response.status, JSON.stringify(sent.headers)).toBe(413);
      expect(await errorOf(response)).toEqual({
        code: -32600,
        message: `Payload Too Large: the request body is over the limit of ${MAX_BODY_BYTES} bytes (MCP_MAX_BODY_BYTES)`,
      });
    }
    // The connection that carried a refused body still serves the next request.
    expect((await send(url)).status).toBe(200);
  });

  it('answers an empty body and one that is not JSON with the JSON-RPC parse error, whatever the token', async () => {
    const { url, lines } = await serve();
    for (const authorization of ['Bearer good', 'Bearer bad', undefined]) {
      const empty = await send(url, { body: '', headers: { authorization } });
      expect(empty.status).toBe(400);
      expect(await errorOf(empty)).toEqual({
        code: -32700,
        message: 'Parse error: the request body is empty; send one JSON-RPC message',
      });
      const broken = await send(url, { body: '{"jsonrpc": "2.0",', headers: { authorization } });
      expect(broken.status).toBe(400);
      expect(broken.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await errorOf(broken)).toEqual({
        code: -32700,
        message: 'Parse error: the request body is not valid JSON',
      });
    }
    await expect.poll(() => lines.filter((line) => line['status'] === 400).length).toBe(6);
  });

  it('refuses a body nested deeper than the limit with Invalid Request (-32600), keeping its id', async () => {
    const { url } = await serve();
    const deep = JSON.parse(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`);
    const response = await send(url, { body: JSON.stringify({ ...CALL, params: { name: 'x', arguments: { deep } } }) });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { id: unknown; error: { code: number; message: string } };
    expect(answer.id).toBe(7);
    expect(answer.error.code).toBe(-32600);
    expect(answer.error.message).toContain(`more than ${MAX_JSON_DEPTH} levels`);
    // One level less is read.
    const allowed = JSON.parse(`${'['.repeat(MAX_JSON_DEPTH - 3)}${']'.repeat(MAX_JSON_DEPTH - 3)}`);
    const body = { ...CALL, params: { name: 'x', arguments: { allowed } } };
    expect((await echoOf(await send(url, { body: JSON.stringify(body) })))['body']).toEqual(body);
  });
});

describe('the MCP entrance: the order of its checks', () => {
  it('refuses a foreign Host first (403): before CORS, the body and the token', async () => {
    const { checked, verify } = countingVerify();
    const { url, lines } = await serve({}, verify);
    const cases: Sent[] = [
      { headers: { host: 'evil.example' } },
      { body: '{"jsonrpc": ', headers: { host: 'evil.example', authorization: undefined } },
      { body: '', headers: { host: 'evil.example:80', 'content-type': 'text/plain' } },
      { method: 'OPTIONS', headers: { host: 'evil.example', origin: 'https://evil.example' } },
      { method: 'GET', path: '/sse', headers: { host: 'evil.example' } },
      { method: 'GET', path: '/mcp', headers: { host: '127.0.0.1.evil.example' } },
    ];
    for (const sent of cases) {
      const response = await send(url, sent);
      const name = JSON.stringify(sent);
      expect(response.status, name).toBe(403);
      expect(((await response.json()) as { error: string }).error, name).toBe('forbidden_host');
      expect(response.headers.get('x-request-id'), name).toBeTruthy();
      expect(response.headers.get('access-control-allow-methods'), name).toBeNull();
    }
    expect(checked).toEqual([]);
    await expect
      .poll(() => lines.filter((line) => line['msg'] === 'request' && line['status'] === 403).length)
      .toBe(cases.length);
  });

  it('answers a CORS preflight before the token (204), with the request id', async () => {
    const { url } = await serve();
    for (const path of ['/mcp', '/sse', '/messages?sessionId=a', '/mcp/readonly']) {
      const response = await send(url, {
        method: 'OPTIONS',
        path,
        body: '',
        headers: {
          authorization: undefined,
          'content-type': undefined,
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-private-network': 'true',
        },
      });
      expect(response.status, path).toBe(204);
      expect(response.headers.get('access-control-allow-methods'), path).toBe('GET, POST, DELETE, OPTIONS');
      expect(response.headers.get('access-control-allow-headers'), path).toContain('Mcp-Session-Id');
      expect(response.headers.get('access-control-allow-origin'), path).toBe('https://app.example');
      expect(response.headers.get('access-control-allow-private-network'), path).toBe('true');
      expect(response.headers.get('x-request-id'), path).toBeTruthy();
    }
  });

  it('answers a path switched off (404) before the body and the token', async () => {
    const { url } = await serve({ MCP_LEGACY_SSE: 'false' });
    const cases: Sent[] = [
      { path: '/messages?sessionId=abc' },
      { path: '/messages?sessionId=abc', body: '{"jsonrpc": ', headers: { authorization: undefined } },
      { path: '/messages?sessionId=abc', headers: { 'content-type': 'text/plain', authorization: 'Bearer bad' } },
      { method: 'GET', path: '/sse', headers: { authorization: undefined } },
      { method: 'POST', path: '/sse', headers: { authorization: undefined } },
    ];
    for (const sent of cases) {
      const response = await send(url, sent);
      const name = JSON.stringify(sent);
      expect(response.status, name).toBe(404);
      expect((await errorOf(response)).message, name).toContain('legacy HTTP+SSE transport is disabled');
      expect(response.headers.get('www-authenticate'), name).toBeNull();
    }
    // Without a session `/messages` is a one-off request, served with the legacy transport off.
    expect((await echoOf(await send(url, { path: '/messages' })))['body']).toEqual(CALL);
  });

  it('answers a bad body before the token: the body’s error, not 401', async () => {
    const { checked, verify } = countingVerify();
    const { url } = await serve({}, verify);
    const cases: Array<Sent & { status: number }> = [
      { body: '{"jsonrpc": ', status: 400 },
      { body: '', status: 400 },
      { headers: { 'content-type': 'text/plain' }, status: 415 },
      { headers: { 'content-encoding': 'compress' }, status: 415 },
      { body: JSON.stringify({ ...CALL, params: { name: 'x'.repeat(MAX_BODY_BYTES) } }), status: 413 },
    ];
    for (const { status, ...sent } of cases) {
      for (const authorization of [undefined, 'Bearer forged']) {
        const response = await send(url, { ...sent, headers: { ...sent.headers, authorization } });
        const name = JSON.stringify({ sent, authorization });
        expect(response.status, name).toBe(status);
        expect(response.headers.get('www-authenticate'), name).toBeNull();
      }
    }
    expect(checked).toEqual([]);
  });

  it('checks the token before the method: no token gets 401, not 405', async () => {
    const { url } = await serve();
    const cases: Sent[] = [
      { method: 'GET', path: '/mcp' },
      { method: 'PUT', path: '/mcp' },
      { method: 'GET', path: '/messages' },
      { method: 'POST', path: '/sse' },
      { method: 'DELETE', path: '/sse' },
    ];
    for (const sent of cases) {
      const response = await send(url, { ...sent, body: '', headers: { authorization: undefined } });
      expect(response.status, JSON.stringify(sent)).toBe(401);
      expect(response.headers.get('www-authenticate'), JSON.stringify(sent)).toContain('Bearer resource_metadata=');
    }
  });

  it('answers a method the path does not serve with 405 and Allow, once the token is good', async () => {
    const { url } = await serve();
    const cases: Array<Sent & { allow: string }> = [
      { method: 'GET', path: '/mcp', allow: 'POST, DELETE' },
      { method: 'PUT', path: '/mcp/readonly', allow: 'GET, POST, DELETE' },
      { method: 'GET', path: '/messages', allow: 'POST' },
      { method: 'POST', path: '/sse', allow: 'GET' },
    ];
    for (const { allow, ...sent } of cases) {
      const response = await send(url, { ...sent, body: '' });
      const name = JSON.stringify(sent);
      expect(response.status, name).toBe(405);
      expect(response.headers.get('allow'), name).toBe(allow);
      expect((await errorOf(response)).message, name).toContain('Method not allowed');
    }
  });

  it('checks the token before the JSON-RPC shape: valid JSON that is not JSON-RPC without a token gets 401', async () => {
    const { url } = await serve();
    const response = await send(url, { body: '{"hello":"world"}', headers: { authorization: undefined } });
    expect(response.status).toBe(401);
  });

  it('counts a request before its method is refused: past the limit 429, not 405', async () => {
    const { url } = await serve({ MCP_RATE_LIMIT_PER_USER: '1' });
    const first = await send(url, { method: 'GET', body: '' });
    expect(first.status).toBe(405);
    expect(first.headers.get('ratelimit-remaining')).toBe('0');
    const second = await send(url, { method: 'GET', body: '' });
    expect(second.status).toBe(429);
  });

  it('verifies a refused token once per request while counting it per client IP: 429 on the third', async () => {
    const { checked, verify } = countingVerify();
    const { url } = await serve({ MCP_RATE_LIMIT_PER_IP: '2' }, verify);
    const answers: Array<[number, string | null]> = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url}/mcp`, {
        headers: { Authorization: 'Bearer forged', 'Mcp-Session-Id': 'abc' },
      });
      answers.push([response.status, response.headers.get('ratelimit-remaining')]);
      await response.body?.cancel();
    }
    expect(answers).toEqual([
      [401, '1'],
      [401, '0'],
      [429, '0'],
    ]);
    expect(checked).toEqual(['forged', 'forged', 'forged']);
  });
});

describe('the MCP entrance: GET /sse', () => {
  const good = { headers: { Authorization: 'Bearer good' } };

  it('opens a stream with the endpoint event, request id, CORS and rate-limit headers, and logs it when it ends', async () => {
    const { url, routes, lines } = await serve({ MCP_RATE_LIMIT_PER_USER: '100' });
    const stream = await openSse(`${url}/sse`, {
      headers: { Authorization: 'Bearer good', Origin: 'https://app.example', 'X-Request-Id': 'req-1' },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.headers.get('x-request-id')).toBe('req-1');
    expect(stream.headers.get('vary')).toBe('Origin');
    expect(stream.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(stream.headers.get('ratelimit-limit')).toBe('100');
    expect(stream.headers.get('ratelimit-remaining')).toBe('99');
    const endpoint = await stream.next();
    expect(endpoint.event).toBe('endpoint');
    expect(endpoint.data).toMatch(/^\/messages\?sessionId=[A-Za-z0-9_-]{43}$/);
    expect(routes.sseStreamCount()).toBe(1);
    expect(lines.find((line) => line['msg'] === 'request')).toBeUndefined();
    stream.close();
    await expect
      .poll(() => lines.find((line) => line['msg'] === 'request'))
      .toMatchObject({ reqId: 'req-1', method: 'GET', route: '/sse', status: 200, sub: 'alice' });
  });

  it('opens a stream whatever the query', async () => {
    const { url } = await serve();
    const stream = await openSse(`${url}/SSE/?x=1`, good);
    expect(stream.status).toBe(200);
    expect((await stream.next()).event).toBe('endpoint');
    stream.close();
  });

  it('sends keep-alive comments on every open stream', async () => {
    const { url } = await serve();
    const streams = await Promise.all([openSse(`${url}/sse`, good), openSse(`${url}/sse`, good)]);
    for (const stream of streams) await expect.poll(() => stream.comments()).toBeGreaterThan(2);
    for (const stream of streams) stream.close();
  });

  it('forgets a stream and its record when the client leaves', async () => {
    const { url, routes, store } = await serve();
    const stream = await openSse(`${url}/sse`, good);
    const id = /sessionId=([A-Za-z0-9_-]+)/.exec((await stream.next()).data)![1]!;
    expect(await store.kv.get(`mcp:sse:${id}`)).toBeDefined();
    stream.close();
    await expect.poll(() => routes.sseStreamCount()).toBe(0);
    await expect.poll(() => store.kv.get(`mcp:sse:${id}`)).toBeUndefined();
  });

  it('applies the stream limit (503 with Retry-After and the request id)', async () => {
    const { url } = await serve({ MCP_MAX_SSE_STREAMS_PER_USER: '1' });
    const first = await openSse(`${url}/sse`, good);
    await first.next(); // the endpoint event: the stream is open and counted
    const second = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer good', 'X-Request-Id': 'second' } });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('30');
    expect(second.headers.get('x-request-id')).toBe('second');
    expect((await errorOf(second)).message).toMatch(/Too many SSE streams/);
    first.close();
  });

  it('answers 429 with the rate-limit body once the user is over the limit', async () => {
    const { url } = await serve({ MCP_RATE_LIMIT_PER_USER: '1' });
    const first = await openSse(`${url}/sse`, good);
    await first.next();
    const second = await fetch(`${url}/sse`, good);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(second.headers.get('ratelimit-limit')).toBe('1');
    expect(await second.json()).toMatchObject({ error: 'rate_limited' });
    first.close();
  });

  it('answers a missing or bad token with the challenge of the sse resource, verifying it once', async () => {
    const { checked, verify } = countingVerify();
    const { url } = await serve({}, verify);
    const missing = await fetch(`${url}/sse`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('oauth-protected-resource/sse');
    expect(missing.headers.get('x-request-id')).toBeTruthy();
    const bad = await fetch(`${url}/sse`, { headers: { Authorization: 'Bearer forged' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(checked).toEqual(['forged']);
  });
});
