/**
 * Hardening of sessions, streams and batches (issue 25, findings 3, 5, 11 and 12), on one in-process
 * bridge with a memory store the test can read: anonymous-discovery sessions bound to their first user
 * and counted per client address, one GET stream per session and every kind of stream in the per-user
 * and total caps (and in deep health), session records that keep only what the bridge needs, and
 * batches counted call by call and refused where the revision has none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SseReader, openSse } from '../helpers/sse.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { modernRequest } from '../helpers/modern-request.js';
import { createMemoryStore } from '../../src/state/memory.js';
import type { Store } from '../../src/state/types.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordFigures } from './support/figures.js';
import { type RawAnswer, openStreamableSession, postJsonRpc } from './support/raw-mcp.js';

const PROTOCOL = '2025-11-25';
const STREAMS_PER_USER = 3;
const SESSIONS_PER_USER = 3;
const CALLS_PER_MINUTE = 5;

const figures: Record<string, unknown> = {};

function initialize(params: Record<string, unknown> = {}) {
  return {
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '1' }, ...params },
  };
}

const listCompanies = (id: string | number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'list_companies', arguments: {} },
});

describe('session, stream and batch hardening', () => {
  let stack: Stack;
  let store: Store;
  let alice: string;
  let bob: string;
  const mcp = () => `${stack.url}/mcp`;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    store = createMemoryStore({ logger: createLogger({ level: 'silent' }) });
    stack = await startStack({
      store,
      env: {
        MCP_ALLOW_ANONYMOUS_DISCOVERY: 'true',
        MCP_TRUST_PROXY: 'loopback',
        MCP_MAX_SSE_STREAMS_PER_USER: String(STREAMS_PER_USER),
        MCP_MAX_SESSIONS_PER_USER: String(SESSIONS_PER_USER),
        MCP_RATE_LIMIT_PER_USER: '0',
        MCP_RATE_LIMIT_PER_IP: '0',
      },
    });
    alice = await stack.tokenFor('alice');
    bob = await stack.tokenFor('bob');
  });
  afterAll(async () => {
    recordFigures('session-hardening', figures);
    await stack?.close();
  });

  async function anonymousSession(fromIp: string): Promise<RawAnswer & { id: string | null }> {
    const answer = await postJsonRpc(
      mcp(),
      { 'MCP-Protocol-Version': PROTOCOL, 'X-Forwarded-For': fromIp },
      initialize(),
    );
    return { ...answer, id: answer.headers.get('mcp-session-id') };
  }

  it('binds an anonymous discovery session to its first user: another user can neither resume, post nor delete it', async () => {
    const opened = await anonymousSession('192.0.2.10');
    expect(opened.status).toBe(200);
    const session = opened.id!;
    const inSession = { 'MCP-Protocol-Version': PROTOCOL, 'Mcp-Session-Id': session };
    // Alice signs in and calls a tool in the session; her answer is streamed, so it lands in the event log.
    stack.sandbox.faults.add({ route: 'listCompanies', kind: 'latency', latencyMs: 1_500, times: 1 });
    const call = await postJsonRpc(
      mcp(),
      { ...inSession, ...bearer(alice), Accept: 'text/event-stream' },
      {
        ...listCompanies('alice-call'),
      },
    );
    expect(call.status).toBe(200);
    const aliceCompany = stack.sandbox.users['alice']!.companyUuids[0]!;
    expect(call.body).toContain(aliceCompany);
    const eventId = /^id: (.+)$/m.exec(call.body)?.[1];
    expect(eventId, 'alice’s answer has an event id to resume from').toBeDefined();

    const attempts: Record<string, number> = {};
    const resume = await fetch(mcp(), {
      headers: { ...inSession, ...bearer(bob), Accept: 'text/event-stream', 'Last-Event-ID': eventId! },
    });
    attempts['bob resumes with Last-Event-ID'] = resume.status;
    const replay = resume.status === 200 ? await readFor(resume, 1_000) : await resume.text();
    expect(replay).not.toContain(aliceCompany);
    attempts['bob posts'] = (await postJsonRpc(mcp(), { ...inSession, ...bearer(bob) }, listCompanies('bob'))).status;
    attempts['anonymous posts'] = (
      await postJsonRpc(mcp(), inSession, { jsonrpc: '2.0', id: 'anon', method: 'tools/list' })
    ).status;
    const deleted = await fetch(mcp(), { method: 'DELETE', headers: { ...inSession, ...bearer(bob) } });
    attempts['bob deletes'] = deleted.status;
    figures['anonymousSession'] = attempts;
    expect(attempts).toEqual({
      'bob resumes with Last-Event-ID': 404,
      'bob posts': 404,
      'anonymous posts': 404,
      'bob deletes': 404,
    });
    const still = await postJsonRpc(
      mcp(),
      { ...inSession, ...bearer(alice) },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    );
    expect(still.status, 'alice keeps her session').toBe(200);
  });

  it('limits anonymous sessions per client address, not for every anonymous client at once', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < SESSIONS_PER_USER + 1; i++) statuses.push((await anonymousSession('198.51.100.7')).status);
    const elsewhere = await anonymousSession('203.0.113.9');
    figures['anonymousQuota'] = { sameAddress: statuses, otherAddress: elsewhere.status };
    expect(statuses).toEqual([...Array(SESSIONS_PER_USER).fill(200), 503]);
    expect(elsewhere.status, 'another address still gets a session').toBe(200);
  });

  it('holds one GET stream per session and counts GET, legacy and listen streams in one per-user cap and in health', async () => {
    const token = await stack.tokenFor('carol');
    const open: SseReader[] = [];
    const statuses: Record<string, number[]> = { get: [], secondGet: [], legacy: [], listenAtCap: [] };
    try {
      const session = await openStreamableSession(stack.url, token);
      const sessionStream = {
        ...bearer(token),
        'MCP-Protocol-Version': PROTOCOL,
        'Mcp-Session-Id': session.id,
        Accept: 'text/event-stream',
      };
      for (const kind of ['get', 'secondGet'] as const) {
        const stream = await openSse(mcp(), { headers: sessionStream });
        open.push(stream);
        statuses[kind]!.push(stream.status);
      }
      for (let i = 0; i < STREAMS_PER_USER; i++) {
        const legacy = await openSse(`${stack.url}/sse`, { headers: bearer(token) });
        open.push(legacy);
        statuses['legacy']!.push(legacy.status);
      }
      const listen = modernRequest(7, 'subscriptions/listen', { notifications: { toolsListChanged: true } });
      const listening = await postJsonRpc(mcp(), { ...bearer(token), ...listen.headers }, listen.body);
      statuses['listenAtCap']!.push(listening.status);
      const health = (await (await fetch(`${stack.url}/healthz?deep=1`)).json()) as {
        sse: { activeConnections: number };
      };
      figures['streamCaps'] = {
        limitPerUser: STREAMS_PER_USER,
        statuses,
        activeConnections: health.sse.activeConnections,
      };
      expect(statuses).toEqual({
        get: [200],
        secondGet: [409],
        legacy: [...Array(STREAMS_PER_USER - 1).fill(200), 503],
        listenAtCap: [503],
      });
      expect(health.sse.activeConnections).toBe(STREAMS_PER_USER);
    } finally {
      for (const reader of open) reader.close();
    }
  });

  it('stores only what the bridge needs of an initialize, and bounds what it echoes', async () => {
    const huge = 'x'.repeat(250_000);
    const headers = { ...bearer(alice), 'MCP-Protocol-Version': PROTOCOL };
    const opened = await postJsonRpc(
      mcp(),
      headers,
      initialize({ capabilities: { experimental: { blob: { huge } } }, clientInfo: { name: huge, version: huge } }),
    );
    expect(opened.status).toBe(200);
    const id = opened.headers.get('mcp-session-id')!;
    const record = await store.kv.get(`mcp:session:${id}`);
    // Each wrong member is one issue in the SDK's validation message, which names its path.
    const manyWrong = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    const invalid = await postJsonRpc(mcp(), headers, initialize({ capabilities: { experimental: manyWrong } }));
    const unknownTool = await postJsonRpc(
      mcp(),
      { ...headers, 'Mcp-Session-Id': id },
      { jsonrpc: '2.0', id: 'unknown', method: 'tools/call', params: { name: huge, arguments: {} } },
    );
    figures['sessionRecord'] = {
      initializeBytes: 3 * huge.length,
      recordBytes: record?.length,
      invalidInitializeAnswerBytes: invalid.body.length,
      unknownToolAnswerBytes: unknownTool.body.length,
    };
    expect(record).toBeDefined();
    expect(record!.length).toBeLessThan(1_024);
    for (const answer of [invalid, unknownTool]) {
      expect(answer.messages.length, answer.body.slice(0, 200)).toBe(1);
      expect((answer.messages[0] as { error?: unknown }).error).toBeDefined();
      expect(answer.body.length).toBeLessThan(4_096);
    }
  });

  it('refuses batches under revisions without batching, with a clear JSON-RPC error', async () => {
    const session = await openStreamableSession(stack.url, alice);
    const batch = [listCompanies(1), listCompanies(2)];
    const answer = await postJsonRpc(
      mcp(),
      { ...bearer(alice), 'MCP-Protocol-Version': PROTOCOL, 'Mcp-Session-Id': session.id },
      batch,
    );
    const stateless = await postJsonRpc(mcp(), { ...bearer(alice), 'MCP-Protocol-Version': '2025-06-18' }, batch);
    figures['batchRefusal'] = { session: answer.status, stateless: stateless.status };
    for (const refused of [answer, stateless]) {
      expect(refused.status).toBe(400);
      const error = (JSON.parse(refused.body) as { error: { code: number; message: string } }).error;
      expect(error.code).toBe(-32600);
      expect(error.message).toMatch(/batch/i);
    }
  });
});

describe('batches against the per-user rate limit', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { MCP_RATE_LIMIT_PER_USER: String(CALLS_PER_MINUTE) } });
  });
  afterAll(() => stack?.close());

  it('counts every call of a batch, so two batches of 100 cannot make more than the limit of calls', async () => {
    const token = await stack.tokenFor('dave');
    stack.sandbox.requestLog.clear();
    const statuses: number[] = [];
    for (let round = 0; round < 2; round++) {
      const batch = Array.from({ length: 100 }, (_, i) => listCompanies(`${round}-${i}`));
      // 2025-03-26 is the one revision with batching.
      const answer = await postJsonRpc(
        `${stack.url}/mcp`,
        { Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': '2025-03-26' },
        batch,
      );
      statuses.push(answer.status);
    }
    const upstream = stack.sandbox.requestLog.entries().filter((entry) => entry.operationId === 'listCompanies').length;
    recordFigures('batch-counting', {
      batches: 2,
      callsEach: 100,
      limit: CALLS_PER_MINUTE,
      statuses,
      upstream,
    });
    expect(statuses).toEqual([429, 429]);
    expect(upstream).toBeLessThanOrEqual(CALLS_PER_MINUTE);
  });

  it('still answers a batch within the limit, every call of it', async () => {
    const token = await stack.tokenFor('erin');
    const batch = Array.from({ length: CALLS_PER_MINUTE - 1 }, (_, i) => listCompanies(i));
    const answer = await postJsonRpc(
      `${stack.url}/mcp`,
      { Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': '2025-03-26' },
      batch,
    );
    expect(answer.status).toBe(200);
    expect(answer.messages).toHaveLength(batch.length);
    expect(answer.headers.get('ratelimit-remaining')).toBe('1');
  });
});

/** What a stream carries within `ms`, then closes it. */
async function readFor(response: Response, ms: number): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const next = await Promise.race([
      reader.read(),
      new Promise<undefined>((resolve) => setTimeout(resolve, deadline - Date.now())),
    ]);
    if (!next || next.done) break;
    text += decoder.decode(next.value, { stream: true });
  }
  await reader.cancel();
  return text;
}
