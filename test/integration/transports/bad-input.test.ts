import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/state/errors.js';
import { createMemoryStore } from '../../../src/state/memory.js';
import type { KeyValue } from '../../../src/state/types.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { postMcp } from '../../helpers/mcp-post.js';
import { modernRequest } from '../../helpers/modern-request.js';
import { startStack } from '../../helpers/stack.js';
import { useStack } from '../../helpers/use-stack.js';

const running = useStack('alice', { env: { MCP_MAX_BODY_BYTES: '4000' } });

function send(path: string, body: string, headers: Record<string, string> = {}) {
  return postMcp(`${running.stack.url}${path}`, running.token, body, headers);
}

async function errorOf(response: Response): Promise<{ code: number; message: string }> {
  const body = (await response.json()) as { jsonrpc: string; error: { code: number; message: string } };
  expect(body.jsonrpc).toBe('2.0');
  return body.error;
}

describe.each(['/mcp', '/messages'])('bad input on %s', (path) => {
  it('broken JSON → 400 -32700', async () => {
    const response = await send(path, '{"jsonrpc": "2.0", "id": 1,');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(-32700);
  });

  it('empty body → 400 -32700', async () => {
    const response = await send(path, '');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(-32700);
  });

  it('wrong content type → 415 naming the expected type', async () => {
    const response = await send(path, '{}', { 'Content-Type': 'text/plain' });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).message).toMatch(/Content-Type: application\/json/);
  });

  it('body over MCP_MAX_BODY_BYTES → 413 naming the limit', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(5000) } });
    const response = await send(path, body);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toMatch(/4000 bytes/);
  });

  it('not a JSON-RPC message → 400 -32600', async () => {
    const response = await send(path, JSON.stringify({ hello: 'world' }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(-32600);
  });

  it('tool arguments nested 1,500 deep (under the body limit) → 400 -32600 saying so', async () => {
    const deep = `${'['.repeat(1_500)}${']'.repeat(1_500)}`;
    const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_companies","arguments":{"x":${deep}}}}`;
    const response = await send(path, body);
    expect(response.status).toBe(400);
    const reply = (await response.json()) as { id: unknown; error: { code: number; message: string } };
    expect(reply.id).toBe(7);
    expect(reply.error.code).toBe(-32600);
    expect(reply.error.message).toMatch(/nested too deeply \(more than 64 levels/);
  });

  it('nesting at the limit of 64 levels is not refused as too deep', async () => {
    // The message, params and arguments are 3 levels; 61 arrays make 64.
    const deep = `${'['.repeat(61)}${']'.repeat(61)}`;
    const body = `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"list_companies","arguments":{"x":${deep}}}}`;
    const text = await (await send(path, body)).text();
    expect(text).not.toMatch(/nested too deeply/);
    expect(text).toMatch(/unknown argument \\"x\\"/);
  });

  it('unknown method → -32601', async () => {
    const response = await send(path, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/destroy' }));
    expect((await errorOf(response)).code).toBe(-32601);
  });

  it('tools/call without a name → -32602 naming params.name', async () => {
    const response = await send(path, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} }));
    const error = await errorOf(response);
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/name/);
  });

  it('unknown tool → -32602 naming the tool', async () => {
    const response = await send(
      path,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'drop_tables' } }),
    );
    const error = await errorOf(response);
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(/drop_tables/);
  });
});

describe('protocol versions', () => {
  it.each(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'])(
    'initialize with %s is accepted as is',
    async (version) => {
      const response = await send(
        '/mcp',
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } },
        }),
      );
      expect(((await response.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe(version);
    },
  );

  it('an unsupported MCP-Protocol-Version header is refused naming the supported versions', async () => {
    const response = await send('/mcp', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), {
      'MCP-Protocol-Version': '1999-01-01',
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/1999-01-01.*2025-11-25/);
  });

  it('an unsupported 2026-era revision gets -32022 with the supported list', async () => {
    const { body: request, headers } = modernRequest(1, 'tools/list', {}, '2099-01-01');
    const response = await send('/mcp', JSON.stringify(request), headers);
    const body = (await response.json()) as { error: { code: number; data: { supported: string[] } } };
    expect(body.error.code).toBe(-32022);
    expect(body.error.data.supported).toContain('2026-07-28');
  });

  it('never answers bad input with a 5xx', async () => {
    const bodies = [
      'null',
      '[]',
      '"x"',
      '42',
      '{"jsonrpc":"2.0"}',
      '[{"jsonrpc":"2.0","id":1}]',
      '{"jsonrpc":"1.0","id":1,"method":"ping"}',
    ];
    for (const body of bodies) {
      for (const path of ['/mcp', '/messages']) {
        const response = await send(path, body);
        expect(response.status, `${path} ${body}`).toBeLessThan(500);
        await response.body?.cancel();
      }
    }
  });
});

describe('other routes', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${running.stack.url}/no/such/route`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('serves server info, health, readiness and the API document', async () => {
    const info = (await (await fetch(`${running.stack.url}/`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      name: 'neonpanel-mcp',
      oauth: { issuer: running.stack.sandbox.issuer, required: true },
    });
    expect((info['endpoints'] as Record<string, string>)['mcp']).toBe(`${running.stack.url}/mcp`);
    const health = (await (await fetch(`${running.stack.url}/healthz?deep=1`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      service: 'neonpanel-mcp',
      jwks: { status: 'ok' },
      sse: { activeConnections: expect.any(Number) },
      upstream: { status: 'ok' },
      store: { status: 'ok' },
    });
    for (const key of ['version', 'timestamp', 'uptimeSeconds', 'openapi']) expect(health).toHaveProperty(key);
    expect((await fetch(`${running.stack.url}/readyz`)).status).toBe(200);
    expect((await (await fetch(`${running.stack.url}/openapi.json`)).json()) as object).toHaveProperty('paths');
    expect(await (await fetch(`${running.stack.url}/openapi.yaml`)).text()).toMatch(/^openapi: /m);
  });
});

describe('anonymous discovery (MCP_ALLOW_ANONYMOUS_DISCOVERY=true)', () => {
  it('lets initialize, tools/list and server/discover through without a token, but not tools/call', async () => {
    const instance = await running.stack.startInstance({ MCP_ALLOW_ANONYMOUS_DISCOVERY: 'true' });
    const anonymous = (body: unknown) =>
      fetch(`${instance.url}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify(body),
      });
    const listed = await anonymous({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('list_companies');
    const called = await anonymous({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_companies' } });
    expect(called.status).toBe(401);
    expect(called.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata=/);
  });
});

describe('failures inside the bridge', () => {
  it('answers a bug with -32603 and its request id, no detail; only a store outage gets 503 + Retry-After', async () => {
    // The one fault injected here: the session store's reads fail on demand, as a bug or as Redis going away.
    const memory = createMemoryStore({ logger: silentLogger() });
    let fault: Error | undefined;
    const kv: KeyValue = {
      ...memory.kv,
      getAndTouch: async (key, ttlSeconds) => {
        if (fault) throw fault;
        return memory.kv.getAndTouch(key, ttlSeconds);
      },
    };
    const faulty = await startStack({ store: { ...memory, kv } });
    try {
      const headers = {
        Authorization: `Bearer ${await faulty.tokenFor('alice')}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      };
      const post = (body: unknown, extra: Record<string, string> = {}) =>
        fetch(`${faulty.url}/mcp`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });
      const opened = await post({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      const session = { 'Mcp-Session-Id': opened.headers.get('mcp-session-id') ?? '' };
      await opened.body?.cancel();

      fault = new TypeError('internal detail /srv/bridge/secret.js:42');
      const bug = await post({ jsonrpc: '2.0', id: 5, method: 'tools/list' }, session);
      expect(bug.status).toBe(500);
      expect(bug.headers.get('retry-after')).toBeNull();
      const requestId = bug.headers.get('x-request-id');
      const text = await bug.text();
      expect(text).not.toContain('internal detail');
      expect(JSON.parse(text)).toMatchObject({
        jsonrpc: '2.0',
        id: 5,
        error: { code: -32603, message: expect.stringContaining(`request id ${requestId}`) },
      });
      expect(faulty.logs.some((line) => line.includes('internal detail'))).toBe(true);

      fault = new StoreUnavailableError('redis unavailable: connection refused');
      const outage = await post({ jsonrpc: '2.0', id: 6, method: 'tools/list' }, session);
      expect(outage.status).toBe(503);
      expect(outage.headers.get('retry-after')).toBe('2');
      expect(await outage.json()).toMatchObject({ id: 6, error: { message: expect.stringMatching(/retry shortly/) } });
    } finally {
      await faulty.close();
      await memory.close();
    }
  });
});
