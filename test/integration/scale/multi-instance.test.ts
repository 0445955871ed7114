/**
 * Two bridge instances behind a load balancer without sticky sessions, sharing one real Redis:
 * every transport keeps working whichever instance a request lands on, rate limits are shared,
 * a dead instance's clients carry on at the other, and a Redis outage degrades without hanging.
 */
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../sandbox/index.js';
import type { Sandbox } from '../../../sandbox/types.js';
import { type Bridge, startBridge } from '../../../src/main.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/eventually.js';
import { metricValue } from '../../helpers/metrics.js';
import { toolText } from '../../helpers/tool-result.js';
import { balancedFetch, instanceConfig, messagesOf, readSseEvents } from './helpers.js';

const RATE_LIMIT = 50;
const KEEPALIVE_MS = 500;
const SESSION_PROTOCOL = '2025-11-25';

let redis: TestRedis;
let sandbox: Sandbox;
let a: Bridge;
let b: Bridge;
const clients: Client[] = [];

async function startInstance(): Promise<Bridge> {
  return startBridge(
    instanceConfig(sandbox.issuer, redis.url, {
      MCP_RATE_LIMIT_PER_USER: String(RATE_LIMIT),
      MCP_RATE_LIMIT_PER_IP: '10000',
      // Short keep-alives: SSE stream records are refreshed with them (this matters after a Redis restart).
      MCP_KEEPALIVE_MS: String(KEEPALIVE_MS),
    }),
  );
}

/** A token for its own user, so each scenario's requests stay within the per-user rate limit. */
const tokenFor = (sub: string) => sandbox.issueToken({ sub });
const authProvider = (token: string) => ({ token: async () => token });

/** A legacy SSE client whose stream is held by `streamFrom` and whose POSTs go wherever `postTo()` says. */
async function connectSse(token: string, streamFrom: Bridge, postTo: () => Bridge): Promise<Client> {
  const transport = new SSEClientTransport(new URL('/sse', streamFrom.url), {
    authProvider: authProvider(token),
    fetch: balancedFetch((method) => (method === 'POST' ? postTo().url : streamFrom.url)),
  });
  const client = new Client({ name: 'scale-test-sse', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** One JSON-RPC POST to /mcp on `bridge`, raw, so status and headers are visible. */
function post(bridge: Bridge, token: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${bridge.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

function initializeBody(id: number) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: SESSION_PROTOCOL,
      capabilities: {},
      clientInfo: { name: 'scale-test-raw', version: '1.0.0' },
    },
  };
}

/** Opens a Streamable HTTP session on `bridge` by raw HTTP; returns its id. */
async function openSession(bridge: Bridge, token: string): Promise<string> {
  const response = await post(bridge, token, initializeBody(1));
  expect(response.status).toBe(200);
  const sessionId = response.headers.get('mcp-session-id');
  expect(sessionId).toBeTruthy();
  await response.body?.cancel();
  return sessionId!;
}

const sessionHeaders = (sessionId: string) => ({
  'mcp-session-id': sessionId,
  'mcp-protocol-version': SESSION_PROTOCOL,
});

/** A JSON-RPC request in an existing session on `bridge`; returns the response message (JSON or SSE). */
async function inSession(bridge: Bridge, token: string, sessionId: string, id: number, method: string, params = {}) {
  const response = await post(bridge, token, { jsonrpc: '2.0', id, method, params }, sessionHeaders(sessionId));
  expect(response.status).toBe(200);
  if (response.headers.get('content-type')?.includes('text/event-stream')) {
    const events = await readSseEvents(response, (seen) => messagesOf(seen).some((m) => m['id'] === id));
    return messagesOf(events).find((m) => m['id'] === id);
  }
  return (await response.json()) as Record<string, unknown>;
}

async function deepHealth(bridge: Bridge) {
  const response = await fetch(`${bridge.url}/healthz?deep=1`);
  return (await response.json()) as { store: { kind: string; status: string; detail?: string } };
}

async function metricsOf(bridge: Bridge): Promise<string> {
  return (await fetch(`${bridge.url}/metrics`)).text();
}

function toolsIn(message: Record<string, unknown> | undefined): unknown[] {
  return (message?.['result'] as { tools?: unknown[] } | undefined)?.tools ?? [];
}

beforeAll(async () => {
  redis = await startRedis();
  sandbox = await startSandbox();
  [a, b] = await Promise.all([startInstance(), startInstance()]);
  await eventually(
    async () => (await deepHealth(a)).store.status === 'ok' && (await deepHealth(b)).store.status === 'ok',
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await Promise.all([a?.close(), b?.close()]);
  await sandbox?.close();
  await redis?.stop();
});

describe('two bridge instances sharing Redis', () => {
  let sseClient: Client;
  let ssePostTarget: () => Bridge = () => b;
  let aliceToken: string;

  it('legacy SSE: the stream is held by A, every POST lands on B, and every response arrives', async () => {
    aliceToken = await tokenFor('alice');
    sseClient = await connectSse(aliceToken, a, () => ssePostTarget());
    const [tools, companies, pong, ...moreLists] = await Promise.all([
      sseClient.listTools(),
      sseClient.callTool({ name: 'list_companies', arguments: {} }),
      sseClient.ping(),
      sseClient.listTools(),
      sseClient.listTools(),
      sseClient.listTools(),
    ]);
    expect(tools.tools.map((t) => t.name)).toContain('list_companies');
    expect(companies.isError).toBeFalsy();
    const aliceCompany = sandbox.data.companyByUuid.get(sandbox.users['alice']!.companyUuids[0]!);
    expect(toolText(companies)).toContain(aliceCompany!.uuid);
    expect(pong).toEqual({});
    for (const list of moreLists) expect(list.tools.length).toBe(tools.tools.length);

    // The POSTs reached B only; A held the stream.
    const [metricsA, metricsB] = await Promise.all([metricsOf(a), metricsOf(b)]);
    expect(metricValue(metricsB, 'neonpanel_mcp_mcp_requests_total', { transport: 'sse' })).toBeGreaterThanOrEqual(7);
    expect(metricValue(metricsA, 'neonpanel_mcp_mcp_requests_total', { transport: 'sse' })).toBe(0);
    expect(metricValue(metricsA, 'neonpanel_mcp_sse_streams_active')).toBe(1);
  });

  let sessionToken: string;
  let sessionId: string;

  it('Streamable HTTP: a session created on A continues on B and resumes with Last-Event-ID on B', async () => {
    sessionToken = await tokenFor('session-user');
    sessionId = await openSession(a, sessionToken);
    const initialized = await post(
      b,
      sessionToken,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      sessionHeaders(sessionId),
    );
    expect(initialized.status).toBe(202);
    const listed = await inSession(b, sessionToken, sessionId, 2, 'tools/list');
    expect(toolsIn(listed).length).toBeGreaterThan(0);

    // A slow tool call on A: the client drops the stream after the priming event...
    sandbox.faults.add({ route: 'listCompanies', kind: 'latency', latencyMs: 500, times: 1 });
    const slow = await post(
      a,
      sessionToken,
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_companies', arguments: {} } },
      { ...sessionHeaders(sessionId), accept: 'text/event-stream' },
    );
    expect(slow.headers.get('content-type')).toContain('text/event-stream');
    // Reading stops (and the connection is dropped) after the first event.
    const [priming] = await readSseEvents(slow, (events) => events.length >= 1);
    expect(priming?.id).toBeTruthy();

    // ...and resumes on B, which replays the answer A wrote to the shared event log.
    let answer: Record<string, unknown> | undefined;
    await eventually(async () => {
      const resumed = await fetch(`${b.url}/mcp`, {
        headers: {
          authorization: `Bearer ${sessionToken}`,
          accept: 'text/event-stream',
          'last-event-id': priming!.id!,
          ...sessionHeaders(sessionId),
        },
      });
      expect(resumed.status).toBe(200);
      answer = messagesOf(await readSseEvents(resumed)).find((m) => m['id'] === 3);
      return answer !== undefined;
    }, 200);
    expect(answer?.['result']).toMatchObject({ content: expect.any(Array) });
    expect((answer?.['result'] as { isError?: boolean } | undefined)?.isError).toBeFalsy();
  });

  it('Streamable HTTP: a call on A cancelled by a notification sent to B stops its NeonPanel request', async () => {
    const token = await tokenFor('cancel-user');
    const session = await openSession(a, token);
    const cancelled = async () =>
      metricValue(await metricsOf(a), 'neonpanel_mcp_upstream_duration_seconds_count', {
        operation: 'listCompanies',
        status: 'cancelled',
      });
    const cancelledBefore = await cancelled();
    const heldBefore = sandbox.faults.injected.hang;
    sandbox.faults.add({ route: 'listCompanies', kind: 'hang', times: 1 });
    const call = await post(
      a,
      token,
      { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_companies', arguments: {} } },
      { ...sessionHeaders(session), accept: 'text/event-stream' },
    );
    expect(call.headers.get('content-type')).toContain('text/event-stream');
    await eventually(async () => sandbox.faults.injected.hang > heldBefore, 50, {
      deadlineMs: 5_000,
      failure: 'the call did not reach NeonPanel',
    });

    const notice = await post(
      b,
      token,
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'stopped by the user' } },
      sessionHeaders(session),
    );
    expect(notice.status).toBe(202);
    await eventually(async () => (await cancelled()) === cancelledBefore + 1, 50, {
      deadlineMs: 5_000,
      failure: 'the call on A was not cancelled',
    });
    // A's stream for the call ends without an answer: the protocol sends none for a cancelled request.
    expect(messagesOf(await readSseEvents(call)).some((m) => m['id'] === 7)).toBe(false);
  });

  it('Streamable HTTP: events are kept for the resumption window only, and DELETE on B drops those A wrote', async () => {
    const token = await tokenFor('delete-user');
    const session = await openSession(a, token);
    // Streamed, so its events go to the log (a quick answer to a client accepting JSON is sent as JSON).
    const streamed = await post(
      a,
      token,
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
      {
        ...sessionHeaders(session),
        accept: 'text/event-stream',
      },
    );
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    await readSseEvents(streamed, (seen) => messagesOf(seen).some((m) => m['id'] === 2));
    const inspector = new Redis(redis.url);
    try {
      const key = `neonpanel-mcp:ev:mcp.${session}`;
      const ttl = await inspector.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300_000);
      const deleted = await fetch(`${b.url}/mcp`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, ...sessionHeaders(session) },
      });
      expect(deleted.status).toBe(200);
      expect(await inspector.exists(key)).toBe(0);
    } finally {
      inspector.disconnect();
    }
  });

  it('2026-07-28: a client alternating between the instances gets every answer', async () => {
    let turn = 0;
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', a.url), {
      authProvider: authProvider(await tokenFor('modern-user')),
      fetch: balancedFetch(() => (turn++ % 2 === 0 ? a.url : b.url)),
    });
    const client = new Client(
      { name: 'scale-test-2026', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(transport);
    clients.push(client);
    for (let i = 0; i < 3; i++) {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('list_companies');
      const result = await client.callTool({ name: 'list_companies', arguments: {} });
      expect(result.isError).toBeFalsy();
    }
    for (const bridge of [a, b]) {
      const text = await metricsOf(bridge);
      expect(metricValue(text, 'neonpanel_mcp_mcp_requests_total', { protocol: '2026-07-28' })).toBeGreaterThan(0);
    }
  });

  it('rate limits count requests on both instances against one budget', async () => {
    const token = await tokenFor('busy-user');
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    for (let i = 0; i < RATE_LIMIT; i++) {
      const response = await post(i % 2 === 0 ? a : b, token, list);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    for (const bridge of [a, b]) {
      const refused = await post(bridge, token, list);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('ratelimit-limit')).toBe(String(RATE_LIMIT));
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(await refused.json()).toMatchObject({ error: 'rate_limited', retry_after_seconds: expect.any(Number) });
      expect(metricValue(await metricsOf(bridge), 'neonpanel_mcp_rate_limited_total', { kind: 'user' })).toBe(1);
    }
    // Another user is not affected.
    expect((await post(a, await tokenFor('quiet-user'), list)).status).toBe(200);
  });

  it('Redis stopped: both instances degrade without hanging, then recover by themselves after a restart', async () => {
    const modernToken = await tokenFor('outage-user');
    await redis.stop();
    for (const bridge of [a, b]) {
      await eventually(async () => (await deepHealth(bridge)).store.status === 'degraded');
      const health = await deepHealth(bridge);
      expect(health.store).toMatchObject({ kind: 'redis', status: 'degraded', detail: expect.stringMatching(/redis/) });
      const ready = (await (await fetch(`${bridge.url}/readyz`)).json()) as { store: string };
      expect(ready.store).toBe('degraded');
    }

    // Stateless requests still work (the rate limit fails open and counts what it could not check).
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', b.url), {
      authProvider: authProvider(modernToken),
    });
    const modern = new Client(
      { name: 'scale-test-outage', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await modern.connect(transport);
    clients.push(modern);
    expect((await modern.listTools()).tools.length).toBeGreaterThan(0);
    expect(
      metricValue(await metricsOf(b), 'neonpanel_mcp_rate_limit_unchecked_total', { kind: 'user' }),
    ).toBeGreaterThan(0);

    // A request that needs shared state gets a clear, retryable error at once rather than hanging.
    const needsStore = await post(
      b,
      sessionToken,
      { jsonrpc: '2.0', id: 9, method: 'tools/list' },
      sessionHeaders(sessionId),
    );
    expect(needsStore.status).toBe(503);
    expect(needsStore.headers.get('retry-after')).toBeTruthy();
    expect(await needsStore.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringMatching(/retry/i) },
    });

    // The SSE stream held by A keeps serving POSTs that reach A itself.
    ssePostTarget = () => a;
    expect((await sseClient.listTools()).tools.length).toBeGreaterThan(0);

    await redis.restart();
    for (const bridge of [a, b]) await eventually(async () => (await deepHealth(bridge)).store.status === 'ok');

    // Shared state works again on both: a new session made on B continues on A...
    const freshSession = await openSession(b, sessionToken);
    const listed = await inSession(a, sessionToken, freshSession, 2, 'tools/list');
    expect(toolsIn(listed).length).toBeGreaterThan(0);
    // ...and the SSE stream opened before the outage (its record lost with Redis's data) is reachable
    // through B again once A's keep-alive has written the record back.
    ssePostTarget = () => b;
    await eventually(async () => (await sseClient.ping()) !== undefined, KEEPALIVE_MS, {
      deadlineMs: 10 * KEEPALIVE_MS,
      failure: 'the legacy SSE stream held by A stayed unreachable through B after Redis restarted',
    });
    expect((await sseClient.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('instance A dies: its SSE client reconnects to B and carries on, and the session lives on', async () => {
    const survivingSession = await openSession(a, sessionToken);
    await a.close();
    // The stream A held is gone: its POSTs (through B) are refused, not lost silently.
    ssePostTarget = () => b;
    await expect(sseClient.ping()).rejects.toThrow(/404|not found/i);

    const again = await connectSse(aliceToken, b, () => b);
    const companies = await again.callTool({ name: 'list_companies', arguments: {} });
    expect(companies.isError).toBeFalsy();
    expect(toolText(companies)).toContain(sandbox.users['alice']!.companyUuids[0]!);

    const listed = await inSession(b, sessionToken, survivingSession, 2, 'tools/list');
    expect(toolsIn(listed).length).toBeGreaterThan(0);
  });

  it('/metrics shows what the test did', async () => {
    const text = await metricsOf(b);
    expect(metricValue(text, 'neonpanel_mcp_mcp_requests_total', { transport: 'sse' })).toBeGreaterThan(0);
    expect(metricValue(text, 'neonpanel_mcp_mcp_requests_total', { protocol: '2026-07-28' })).toBeGreaterThan(0);
    expect(metricValue(text, 'neonpanel_mcp_mcp_requests_total', { protocol: SESSION_PROTOCOL })).toBeGreaterThan(0);
    expect(metricValue(text, 'neonpanel_mcp_tool_calls_total', { tool: 'list_companies' })).toBeGreaterThan(0);
    expect(metricValue(text, 'neonpanel_mcp_rate_limited_total', { kind: 'user' })).toBe(1);
    expect(metricValue(text, 'neonpanel_mcp_http_requests_total', { status: '429' })).toBe(1);
    expect(metricValue(text, 'neonpanel_mcp_sse_streams_active')).toBe(1);
    expect(
      metricValue(text, 'neonpanel_mcp_upstream_duration_seconds_count', { operation: 'listCompanies' }),
    ).toBeGreaterThan(0);
  });
});
