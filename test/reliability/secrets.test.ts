/**
 * Secrets: drives every path where a credential passes through or near the bridge (a real OAuth
 * flow with dynamic registration, authorization code + PKCE, refresh rotation and client
 * credentials; tokens on every transport; expired, foreign, malformed and misplaced tokens; upstream
 * 401s) with the bridge at debug level and tracing pointed at a local OTLP receiver. Then scans every
 * log line, every response body and header the bridge sent, /metrics, and every exported span for
 * the tokens, refresh tokens, client secrets and registration tokens it saw. Every other reliability
 * test scans its own bridge's log and /metrics the same way (Stack.scanForLeaks).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL } from './support/bridge-process.js';
import { recordFigures } from './support/figures.js';
import { connectClient, TRANSPORTS } from './support/mcp-clients.js';
import { type Stack, startStack } from './support/stack.js';

interface OtlpReceiver {
  url: string;
  bodies: string[];
  close(): Promise<void>;
}

/** A local OTLP/HTTP endpoint that keeps every export it receives (JSON or protobuf, read as text). */
async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('latin1'));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('secrets never leave the bridge', () => {
  let stack: Stack;
  let otlp: OtlpReceiver;
  /** Everything the bridge answered during the scenario: status line, headers and body, as text. */
  const answers: string[] = [];

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    stack = await startStack({
      sandbox: { autoApprove: 'alice' },
      env: { LOG_LEVEL: 'trace', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await otlp?.close();
  });

  /** Calls the bridge and keeps the whole answer for the scan. */
  async function bridgeFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${stack.bridge.url}${path}`, init);
    const body = await response.clone().text();
    // The path is ours (it may carry a misplaced token on purpose): keep only what the bridge sent.
    answers.push(`${response.status}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${body}`);
    return response;
  }

  const mcpPost = (
    token: string | undefined,
    body: unknown,
    extraHeaders: Record<string, string> = {},
    path = '/mcp',
  ) =>
    bridgeFetch(path, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...extraHeaders,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** Registration, authorization code + PKCE as alice, refresh with rotation, client credentials. */
  async function oauthFlow(): Promise<string[]> {
    const { sandbox, secrets } = stack;
    const redirectUri = 'http://127.0.0.1:9/callback';
    const registration = (await (
      await fetch(`${sandbox.url}/oauth2/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          client_name: 'reliability secrets',
          redirect_uris: [redirectUri],
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          token_endpoint_auth_method: 'client_secret_post',
        }),
      })
    ).json()) as { client_id: string; client_secret?: string; registration_access_token?: string };
    if (registration.client_secret) secrets.addOpaque(registration.client_secret, 'client secret');
    if (registration.registration_access_token) {
      secrets.addOpaque(registration.registration_access_token, 'registration access token');
    }
    // The scope the sandbox's authorization server defines (NeonPanel's documents name it).
    const asMetadata = (await (await fetch(`${sandbox.url}/.well-known/oauth-authorization-server`)).json()) as {
      scopes_supported?: string[];
    };
    const scope = asMetadata.scopes_supported?.[0] ?? 'openid';
    const verifier = randomBytes(32).toString('base64url');
    secrets.addOpaque(verifier, 'PKCE code verifier');
    const authorize = new URL(`${sandbox.url}/oauth2/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: registration.client_id,
      redirect_uri: redirectUri,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'state-1',
      scope,
      // The bridge's own resource: the audience it accepts.
      resource: `${PUBLIC_URL}/mcp`,
    }).toString();
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location') ?? '', redirectUri).searchParams.get('code') ?? '';
    secrets.addOpaque(code, 'authorization code');
    const token = async (form: Record<string, string>) => {
      const response = await fetch(`${sandbox.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: registration.client_id,
          client_secret: registration.client_secret ?? '',
          ...form,
        }),
      });
      const body = (await response.json()) as { access_token?: string; refresh_token?: string; error?: string };
      if (!body.access_token) throw new Error(`token endpoint: ${JSON.stringify(body)}`);
      secrets.addToken(body.access_token);
      if (body.refresh_token) secrets.addOpaque(body.refresh_token, 'refresh token');
      return body;
    };
    const first = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    const machine = await token({ grant_type: 'client_credentials', scope });
    return [first.access_token!, refreshed.access_token!, machine.access_token!];
  }

  it('scans every log line, answer, metric and span of a credential-heavy scenario and finds no secret', async () => {
    const { sandbox } = stack;
    const tokens = [...(await oauthFlow()), await stack.token('bob')];
    // Every token on every transport, with a tool call that forwards it to NeonPanel.
    for (const token of tokens) {
      for (const kind of TRANSPORTS) {
        const connected = await connectClient(stack.bridge.url, token, kind);
        const result = await connected.client.callTool({ name: 'list_companies', arguments: {} });
        answers.push(JSON.stringify(result));
        await connected.close();
      }
    }
    const alice = tokens[0]!;
    const tools = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_companies', arguments: {} } };
    // Tokens the bridge must refuse, each with a challenge that explains why without echoing it.
    const refusedTokens = [
      await stack.token('alice', { expiresIn: -300 }),
      await stack.token('alice', { extraClaims: { iss: 'https://other-issuer.example' } }),
      await stack.token('alice', { kid: 'unknown-kid' }),
      await stack.token('alice', { notBefore: 3_600 }),
      `${alice.slice(0, -6)}AAAAAA`,
      `${alice}.extra`,
    ];
    for (const token of refusedTokens) {
      stack.secrets.addToken(token, 'refused token');
      const response = await mcpPost(token, tools);
      expect(response.status).toBe(401);
      await bridgeFetch('/sse', { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
    }
    // Tokens in the wrong place: query string and body (refused with advice, never echoed).
    await mcpPost(undefined, tools, {}, `/mcp?access_token=${alice}`);
    await mcpPost(undefined, { ...tools, access_token: alice });
    await mcpPost(undefined, `access_token=${alice}`, { 'Content-Type': 'application/x-www-form-urlencoded' });
    await mcpPost(`${alice} ${alice}`, tools);
    await mcpPost(undefined, tools, { Authorization: `Basic ${Buffer.from(`alice:${alice}`).toString('base64')}` });
    // Upstream refusals: NeonPanel answers 401 and 500 to forwarded calls.
    sandbox.faults.set({ route: 'listCompanies', kind: 'error', status: 401 });
    await mcpPost(alice, call);
    sandbox.faults.set({ route: 'listCompanies', kind: 'error', status: 500 });
    await mcpPost(alice, call, {}, '/messages');
    sandbox.faults.clear();
    await bridgeFetch('/healthz?deep=1');
    await bridgeFetch('/');
    await bridgeFetch('/', { headers: { Accept: 'text/html' } });

    // Give the span exporter its batch interval, then scan everything.
    const deadline = Date.now() + 8_000;
    while (otlp.bodies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const leaks = [
      ...(await stack.scanForLeaks()),
      ...stack.secrets.scan(answers.join('\n'), 'answers to the client'),
      ...stack.secrets.scan(otlp.bodies.join('\n'), 'exported spans'),
    ];
    const summary = stack.secrets.summary();
    recordFigures('secrets', {
      ...summary,
      logLines: stack.bridge.stdout.length + stack.bridge.stderr.length,
      answersScanned: answers.length,
      spanExportsScanned: otlp.bodies.length,
      tracingExported: otlp.bodies.length > 0,
      leaksFound: leaks.length,
    });
    expect(stack.bridge.stdout.length, 'the bridge must have logged (the scan is not vacuous)').toBeGreaterThan(50);
    expect(summary.secretsWatched).toBeGreaterThanOrEqual(15);
    expect(otlp.bodies.length, 'spans must have been exported (the span scan is not vacuous)').toBeGreaterThan(0);
    expect(otlp.bodies.join('\n'), 'the exported spans hold the MCP requests').toContain('mcp.request');
    expect(leaks).toEqual([]);
  }, 120_000);
});
