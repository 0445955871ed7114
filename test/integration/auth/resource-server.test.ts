/**
 * The resource server as clients see it over HTTP: discovery documents that agree with each other
 * and with the issuer, the challenge per route, valid tokens, key rotation, an issuer outage,
 * CORS and the DNS-rebinding guard.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestIssuer, startTestIssuer } from './issuer.js';
import { PUBLIC_URL, type ProtectedApp, startProtectedApp } from './protected-app.js';
import { rawRequest } from './raw-http.js';

const SCOPES = 'neonpanel.mcp,neonpanel.write';
const closers: (() => Promise<void>)[] = [];
/** One sandbox for the blocks that do not change the issuer (a sandbox takes a second or two to start). */
let shared: TestIssuer;

beforeAll(async () => {
  shared = await issuerForTest();
});

async function issuerForTest(): Promise<TestIssuer> {
  const issuer = await startTestIssuer();
  closers.push(() => issuer.close());
  return issuer;
}

async function appForTest(issuer: TestIssuer, env: Record<string, string> = {}): Promise<ProtectedApp> {
  const app = await startProtectedApp(issuer.issuer, env);
  closers.unshift(() => app.close());
  return app;
}

afterAll(async () => {
  for (const close of closers) await close();
});

async function getJson(url: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function refreshCount(app: ProtectedApp, outcome: 'ok' | 'error'): Promise<number> {
  return app.metrics.registry.getMetricsAsJSON().then((all) => {
    const metric = all.find((m) => m.name === 'neonpanel_mcp_jwks_refreshes_total');
    return Number(metric?.values.find((v) => v.labels['outcome'] === outcome)?.value ?? 0);
  });
}

const mcpCall = (app: ProtectedApp, headers: Record<string, string> = {}, path = '/mcp') =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });

describe('discovery documents', () => {
  let issuer: TestIssuer;
  let app: ProtectedApp;
  let scoped: ProtectedApp;
  beforeAll(async () => {
    issuer = shared;
    app = await appForTest(issuer);
    scoped = await appForTest(issuer, { MCP_SCOPES: SCOPES });
  });

  it('serves the three protected-resource documents with exact resources', async () => {
    const expected = { mcp: `${PUBLIC_URL}/mcp`, sse: `${PUBLIC_URL}/sse`, root: PUBLIC_URL };
    for (const [path, resource] of [
      ['/.well-known/oauth-protected-resource/mcp', expected.mcp],
      ['/mcp/.well-known/oauth-protected-resource', expected.mcp],
      ['/.well-known/oauth-protected-resource/sse', expected.sse],
      ['/sse/.well-known/oauth-protected-resource', expected.sse],
      ['/.well-known/oauth-protected-resource', expected.root],
    ] as const) {
      const { status, headers, body } = await getJson(`${app.url}${path}`);
      expect(status, path).toBe(200);
      expect(headers.get('content-type')).toMatch(/^application\/json/);
      expect(headers.get('cache-control')).toMatch(/max-age=\d+/);
      expect(body).toEqual({
        resource,
        authorization_servers: [issuer.issuer],
        bearer_methods_supported: ['header'],
        resource_name: expect.stringContaining('NeonPanel'),
        resource_documentation: `${PUBLIC_URL}/`,
      });
    }
  });

  it('advertises MCP_SCOPES in every document when set', async () => {
    for (const path of ['/mcp', '/sse', '']) {
      const { body } = await getJson(`${scoped.url}/.well-known/oauth-protected-resource${path}`);
      expect(body['scopes_supported']).toEqual(['neonpanel.mcp', 'neonpanel.write']);
    }
  });

  it('mirrors the issuer metadata exactly, and it agrees with the protected-resource documents', async () => {
    const real = await getJson(`${issuer.issuer}/.well-known/oauth-authorization-server`);
    const prm = await getJson(`${app.url}/.well-known/oauth-protected-resource/mcp`);
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/mcp']) {
      const mirror = await getJson(`${app.url}${path}`);
      expect(mirror.status).toBe(200);
      expect(mirror.body).toEqual(real.body);
      expect(mirror.headers.get('cache-control')).toMatch(/max-age=\d+/);
    }
    expect(real.body['issuer']).toBe(issuer.issuer);
    expect(prm.body['authorization_servers']).toEqual([real.body['issuer']]);
    expect(app.auth.status().issuerMetadata).toMatchObject({ source: 'live', lastFetchAt: expect.any(String) });
  });

  it('answers 404 for openid-configuration when the issuer has none (never a made-up document)', async () => {
    expect((await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).status).toBe(404);
    const res = await getJson(`${app.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(404);
    expect(res.body['error_description']).toMatch(/publishes no OpenID configuration/);
  });

  it('serves metadata built from configuration when the issuer is unreachable at start, and says so', async () => {
    const down = shared;
    down.setMetadataDown(true);
    const app2 = await appForTest(down).finally(() => down.setMetadataDown(false));
    const mirror = await getJson(`${app2.url}/.well-known/oauth-authorization-server`);
    expect(mirror.status).toBe(200);
    expect(mirror.body).toMatchObject({
      issuer: down.issuer,
      authorization_endpoint: `${down.issuer}/oauth2/authorize`,
      token_endpoint: `${down.issuer}/oauth2/token`,
      registration_endpoint: `${down.issuer}/oauth2/register`,
      jwks_uri: `${down.issuer}/.well-known/jwks.json`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(app2.auth.status().issuerMetadata).toMatchObject({
      source: 'fallback',
      lastFetchAt: null,
      lastError: expect.stringMatching(/oauth-authorization-server failed: HTTP 5\d\d/),
    });
  });
});

describe('the challenge', () => {
  let app: ProtectedApp;
  let scoped: ProtectedApp;
  beforeAll(async () => {
    app = await appForTest(shared);
    scoped = await appForTest(shared, { MCP_SCOPES: SCOPES });
  });

  it('without a token: a bare challenge naming the metadata of the route called', async () => {
    const routes = [
      ['POST', '/mcp', 'mcp'],
      ['GET', '/mcp', 'mcp'],
      ['GET', '/sse', 'sse'],
      ['POST', '/messages?sessionId=abc', 'sse'],
    ] as const;
    for (const [method, path, metadata] of routes) {
      const res = await fetch(`${app.url}${path}`, { method });
      expect(res.status, path).toBe(401);
      const url = `${PUBLIC_URL}/.well-known/oauth-protected-resource/${metadata}`;
      expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${url}"`);
      expect(await res.json()).toMatchObject({ error: 'unauthorized', resource_metadata: url });
    }
  });

  it('names the scopes when MCP_SCOPES is set', async () => {
    const res = await mcpCall(scoped);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp", scope="neonpanel.mcp neonpanel.write"`,
    );
  });

  it('lets anonymous discovery through only when allowed, and only without a token', async () => {
    const call = (method: string, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/mcp-anonymous`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method }),
      });
    const allowed = await call('initialize');
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ ok: true, auth: null });
    expect((await call('tools/call')).status).toBe(401);
    expect((await call('initialize', { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
  });
});

describe('valid tokens, key rotation and issuer outages', () => {
  let issuer: TestIssuer;
  let app: ProtectedApp;
  beforeAll(async () => {
    issuer = await issuerForTest();
    app = await appForTest(issuer);
  });
  afterEach(() => issuer.setJwksDown(false));

  it('a valid token gets through and the handler sees who called', async () => {
    const token = await issuer.issueToken({ sub: 'alice', scope: 'neonpanel.mcp' });
    const res = await mcpCall(app, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const { auth } = (await res.json()) as { auth: Record<string, unknown> };
    expect(auth).toMatchObject({
      sub: 'alice',
      scopes: ['neonpanel.mcp'],
      issuer: issuer.issuer,
      expiresAt: expect.any(Number),
      issuedAt: expect.any(Number),
      tokenHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(auth)).not.toContain(token);
    expect(app.auth.ready()).toBe(true);
    expect(app.auth.status().jwks).toMatchObject({ status: 'ok', keysFound: issuer.keys.kids.length });
  });

  it('picks up a rotated key on the first token that names it', async () => {
    const before = await refreshCount(app, 'ok');
    const newKid = await issuer.keys.rotate({ dropOld: true });
    const token = await issuer.issueToken({ sub: 'alice' });
    const res = await mcpCall(app, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(await refreshCount(app, 'ok')).toBe(before + 1);
    expect(issuer.keys.kids).toEqual([newKid]);
  });

  it('refetches once for a repeated unknown kid, then waits out the cooldown', async () => {
    const token = await issuer.issueToken({ sub: 'alice', kid: 'never-published' });
    const before = (await refreshCount(app, 'ok')) + (await refreshCount(app, 'error'));
    for (let i = 0; i < 3; i++) expect((await mcpCall(app, { authorization: `Bearer ${token}` })).status).toBe(401);
    const after = (await refreshCount(app, 'ok')) + (await refreshCount(app, 'error'));
    expect(after - before).toBe(1);
  });

  it('with the JWKS endpoint down, keys already fetched keep serving and status() reports the outage', async () => {
    issuer.setJwksDown(true);
    const fresh = await issuer.issueToken({ sub: 'carol' });
    expect((await mcpCall(app, { authorization: `Bearer ${fresh}` })).status).toBe(200);
    // A key rotated during the outage makes the bridge try the JWKS, which is down: the token may be
    // good, so it is 503 with Retry-After (a client keeps its token), not 401 invalid_token.
    const rotatedKid = await issuer.keys.rotate();
    const rotated = await issuer.issueToken({ sub: 'carol', kid: rotatedKid });
    const res = await mcpCall(app, { authorization: `Bearer ${rotated}` });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error_description: string }).error_description).toMatch(
      /^key id \S+ is not among the keys fetched, and the issuer's key set could not be refreshed \(GET .*jwks\.json failed: HTTP 503\); try again shortly$/,
    );
    expect(app.auth.status().jwks).toMatchObject({
      status: 'stale',
      keysFound: 1,
      lastFetchAt: expect.any(String),
      lastError: expect.stringContaining('HTTP 503'),
    });
    expect(app.auth.ready()).toBe(true);
    const again = await issuer.issueToken({ sub: 'dave', kid: issuer.keys.kids[0] });
    expect((await mcpCall(app, { authorization: `Bearer ${again}` })).status).toBe(200);
    // Back up: the same token is accepted on its next request (the kid was not marked as looked for).
    issuer.setJwksDown(false);
    expect((await mcpCall(app, { authorization: `Bearer ${rotated}` })).status).toBe(200);
  });

  it('with no keys ever fetched: not ready, and a token gets 503 (not a 401 that would discard it)', async () => {
    const down = issuer;
    down.setJwksDown(true);
    const app2 = await appForTest(down);
    expect(app2.auth.ready()).toBe(false);
    expect(app2.auth.status().jwks).toMatchObject({ status: 'down', keysFound: 0, lastFetchAt: null });
    const res = await mcpCall(app2, { authorization: `Bearer ${await down.issueToken({ sub: 'alice' })}` });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { hint: string }).hint).toMatch(/your token was not rejected/);
  });
});

describe('CORS and the host guard', () => {
  let app: ProtectedApp;
  beforeAll(async () => {
    app = await appForTest(shared);
  });

  it('answers a preflight with 204, the origin, methods and MCP headers', async () => {
    for (const path of ['/mcp', '/sse', '/messages', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(`${app.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, mcp-protocol-version, mcp-session-id',
        },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE, OPTIONS');
      const allowed = res.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/);
      for (const h of ['authorization', 'content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version']) {
        expect(allowed).toContain(h);
      }
      for (const h of ['mcp-method', 'mcp-name', 'last-event-id']) expect(allowed).toContain(h);
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    }
  });

  it('exposes WWW-Authenticate and Mcp-Session-Id on a 401 to a browser origin', async () => {
    const res = await mcpCall(app, { origin: 'http://app.example' });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.example');
    const exposed = res.headers.get('access-control-expose-headers')?.toLowerCase();
    expect(exposed).toContain('www-authenticate');
    expect(exposed).toContain('mcp-session-id');
  });

  it('refuses a foreign Host with 403 and a clear message (DNS rebinding)', async () => {
    const res = await rawRequest(`${app.url}/mcp`, 'POST', [
      'Host',
      'evil.example',
      'Content-Type',
      'application/json',
    ]);
    expect(res.status).toBe(403);
    const body = JSON.parse(res.body) as { error: string; error_description: string };
    expect(body.error).toBe('forbidden_host');
    expect(body.error_description).toMatch(
      /^Host "evil.example" is not allowed: .*mcp\.example\.test \(MCP_PUBLIC_URL\)/,
    );
  });

  it('lets loopback names and the public host through', async () => {
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:3000', 'mcp.example.test', 'mcp.example.test:443']) {
      const res = await rawRequest(`${app.url}/mcp`, 'POST', ['Host', host, 'Content-Type', 'application/json'], '{}');
      expect(res.status, host).toBe(401);
    }
    const wrongPort = await rawRequest(`${app.url}/mcp`, 'POST', ['Host', 'mcp.example.test:8443']);
    expect(wrongPort.status).toBe(403);
  });
});
