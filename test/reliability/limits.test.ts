/**
 * Limits: request body, header size, SSE streams and sessions per user, concurrent upstream calls
 * per user, and the inbound rate limit. Proves each limit holds exactly where configured, answers
 * with a clear error that names the limit (never a 5xx other than the documented 503 for a full
 * stream or session table), touches only the user who reached it, and frees up again.
 */
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from './support/figures.js';
import { jsonRpcProblems } from './support/jsonrpc.js';
import { connectClient } from './support/mcp-clients.js';
import { openSse, type SseStream, sendRaw } from './support/raw-http.js';
import { openStreamableSession, postJsonRpc } from './support/raw-mcp.js';
import { type Stack, startStack } from './support/stack.js';
import { resultText } from './support/tool-errors.js';

const MAX_BODY = 20_000;
const SSE_PER_USER = 3;
const SESSIONS_PER_USER = 3;
const UPSTREAM_PER_USER = 2;
const RATE_PER_USER = 40;

const figures: Record<string, unknown> = {};

describe('limits', () => {
  let stack: Stack;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        MCP_MAX_BODY_BYTES: String(MAX_BODY),
        MCP_MAX_SSE_STREAMS_PER_USER: String(SSE_PER_USER),
        MCP_MAX_SESSIONS_PER_USER: String(SESSIONS_PER_USER),
        MCP_MAX_CONCURRENT_UPSTREAM_PER_USER: String(UPSTREAM_PER_USER),
        MCP_RATE_LIMIT_PER_USER: '0',
        MCP_RATE_LIMIT_PER_IP: '0',
      },
    });
    alice = await stack.token('alice');
    bob = await stack.token('bob');
  });

  afterAll(async () => {
    recordFigures('limits', figures);
    await stack?.stop();
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  /** A tools/call whose body is made `padding` bytes bigger inside `_meta` (which every server must accept). */
  const call = (id: string, padding = 0) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'list_reports', arguments: {}, _meta: { padding: 'x'.repeat(padding) } },
  });

  it('refuses a body over MCP_MAX_BODY_BYTES with 413 and a JSON-RPC error naming the limit, on every route', async () => {
    const size = JSON.stringify(call('fits')).length;
    const answers: Record<string, number> = {};
    for (const route of ['/mcp', '/messages']) {
      const fits = await postJsonRpc(`${stack.bridge.url}${route}`, auth(alice), call('fits', MAX_BODY - size - 100));
      expect(fits.status, `${route} just under the limit`).toBe(200);
      const over = await postJsonRpc(`${stack.bridge.url}${route}`, auth(alice), call('over', MAX_BODY));
      answers[route] = over.status;
      expect(over.status, `${route} over the limit`).toBe(413);
      const [message] = over.messages as { error?: { message: string } }[];
      expect(jsonRpcProblems(message)).toEqual([]);
      expect(message?.error?.message).toContain(String(MAX_BODY));
      expect(message?.error?.message).toContain('MCP_MAX_BODY_BYTES');
    }
    const session = await openStreamableSession(stack.bridge.url, alice);
    const inSession = await postJsonRpc(
      `${stack.bridge.url}/mcp`,
      { ...auth(alice), 'Mcp-Session-Id': session.id, 'MCP-Protocol-Version': '2025-11-25' },
      call('over', MAX_BODY),
    );
    expect(inSession.status).toBe(413);
    await session.terminate();
    figures['body'] = { limitBytes: MAX_BODY, overLimitStatus: answers };
  });

  it('refuses oversized headers with 431 and still serves normal ones', async () => {
    const host = new URL(stack.bridge.url).host;
    const request = (size: number) =>
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nX-Padding: ${'a'.repeat(size)}\r\n\r\n`;
    const normal = await sendRaw(stack.bridge.url, request(8_000), { timeoutMs: 10_000 });
    const oversized = await sendRaw(stack.bridge.url, request(64_000), { timeoutMs: 10_000 });
    expect(normal.kind === 'response' && normal.response.status).toBe(200);
    expect(oversized.kind === 'response' && oversized.response.status).toBe(431);
    figures['headers'] = {
      accepted8KB: true,
      status64KB: oversized.kind === 'response' ? oversized.response.status : null,
    };
  });

  it('caps legacy SSE streams per user with a clear 503, for that user only, and frees the slot on close', async () => {
    const open: SseStream[] = [];
    for (let i = 0; i < SSE_PER_USER; i++) {
      const stream = await openSse(`${stack.bridge.url}/sse`, auth(alice));
      expect(stream.status).toBe(200);
      open.push(stream);
    }
    const refusedResponse = await fetch(`${stack.bridge.url}/sse`, {
      headers: { ...auth(alice), Accept: 'text/event-stream' },
    });
    const refused = (await refusedResponse.json()) as { error?: { message: string } };
    expect(refusedResponse.status).toBe(503);
    expect(jsonRpcProblems(refused)).toEqual([]);
    expect(refused.error?.message).toMatch(/too many sse streams/i);
    expect(refused.error?.message).toContain(String(SSE_PER_USER));
    const bobStream = await openSse(`${stack.bridge.url}/sse`, auth(bob));
    expect(bobStream.status, 'another user is not affected').toBe(200);
    bobStream.close();
    open.pop()?.close();
    const reopened = await retryUntil(async () => {
      const stream = await openSse(`${stack.bridge.url}/sse`, auth(alice));
      if (stream.status === 200) return stream;
      stream.close();
      return undefined;
    });
    expect(reopened, 'a closed stream frees its slot').toBeDefined();
    reopened?.close();
    for (const stream of open) stream.close();
    figures['sseStreamsPerUser'] = { limit: SSE_PER_USER, refusedStatus: 503, message: refused.error?.message };
  });

  it('caps Streamable HTTP sessions per user with a clear 503 and frees the slot on DELETE', async () => {
    const sessions = [];
    for (let i = 0; i < SESSIONS_PER_USER; i++) sessions.push(await openStreamableSession(stack.bridge.url, alice));
    const refused = await openStreamableSession(stack.bridge.url, alice).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/503/);
    expect(refused).toMatch(/too many sessions/i);
    await sessions.pop()!.terminate();
    const again = await openStreamableSession(stack.bridge.url, alice);
    await again.terminate();
    for (const session of sessions) await session.terminate();
    const bobSession = await openStreamableSession(stack.bridge.url, bob);
    await bobSession.terminate();
    figures['sessionsPerUser'] = { limit: SESSIONS_PER_USER, refused };
  });

  it('caps concurrent upstream calls per user: the excess get a tool error, nothing is sent for them', async () => {
    const { sandbox } = stack;
    sandbox.faults.set({ route: 'listCompanies', kind: 'latency', latencyMs: 1_500 });
    const from = sandbox.requestLog.entries().length;
    const aliceClient = await connectClient(stack.bridge.url, alice, 'stateless');
    const bobClient = await connectClient(stack.bridge.url, bob, 'stateless');
    const attempts = UPSTREAM_PER_USER + 4;
    const results = (await Promise.all([
      ...Array.from({ length: attempts }, () => aliceClient.client.callTool({ name: 'list_companies', arguments: {} })),
      bobClient.client.callTool({ name: 'list_companies', arguments: {} }),
    ])) as CallToolResult[];
    sandbox.faults.clear();
    const aliceResults = results.slice(0, attempts);
    const refusedTexts = aliceResults.filter((r) => r.isError).map(resultText);
    const sentForAlice = sandbox.requestLog
      .entries()
      .slice(from)
      .filter((e) => e.user === 'alice').length;
    expect(aliceResults.filter((r) => !r.isError)).toHaveLength(UPSTREAM_PER_USER);
    expect(refusedTexts).toHaveLength(attempts - UPSTREAM_PER_USER);
    for (const text of refusedTexts) {
      expect(text).toMatch(/too many neonpanel calls/i);
      expect(text).toMatch(/retry_after_seconds/);
      expect(text).toMatch(/nothing was sent/i);
    }
    expect(sentForAlice).toBe(UPSTREAM_PER_USER);
    expect(results[attempts]?.isError, 'bob has his own budget').toBeFalsy();
    const after = (await aliceClient.client.callTool({ name: 'list_companies', arguments: {} })) as CallToolResult;
    expect(after.isError, 'slots come back when calls finish').toBeFalsy();
    await aliceClient.close();
    await bobClient.close();
    figures['concurrentUpstreamPerUser'] = {
      limit: UPSTREAM_PER_USER,
      attempted: attempts,
      sentUpstream: sentForAlice,
      refusedWithToolError: refusedTexts.length,
    };
  });

  it('rate-limits a user past MCP_RATE_LIMIT_PER_USER with 429, Retry-After and RateLimit headers', async () => {
    const limited = await startStack({
      env: { MCP_RATE_LIMIT_PER_USER: String(RATE_PER_USER), MCP_RATE_LIMIT_PER_IP: '0' },
    });
    try {
      const token = await limited.token('alice');
      const other = await limited.token('bob');
      const statuses: number[] = [];
      let refused: RawAnswerLike | undefined;
      for (let i = 0; i < RATE_PER_USER + 5; i++) {
        const answer = await postJsonRpc(`${limited.bridge.url}/mcp`, auth(token), {
          jsonrpc: '2.0',
          id: i,
          method: 'tools/list',
        });
        statuses.push(answer.status);
        if (answer.status === 429 && !refused) refused = answer;
      }
      const okCount = statuses.filter((s) => s === 200).length;
      expect(okCount).toBe(RATE_PER_USER);
      expect(statuses.filter((s) => s === 429)).toHaveLength(5);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused?.headers.get('ratelimit-limit')).toBe(String(RATE_PER_USER));
      expect(refused?.body).toMatch(/rate limit/i);
      const bobAnswer = await postJsonRpc(`${limited.bridge.url}/mcp`, auth(other), {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
      });
      expect(bobAnswer.status, 'another user keeps his own budget').toBe(200);
      figures['ratePerUser'] = { limitPerMinute: RATE_PER_USER, served: okCount, refused: 5 };
      expect(await limited.scanForLeaks()).toEqual([]);
    } finally {
      await limited.stop();
    }
  }, 60_000);

  it('printed no secret', async () => {
    expect(await stack.scanForLeaks()).toEqual([]);
  });
});

type RawAnswerLike = Awaited<ReturnType<typeof postJsonRpc>>;

/** Polls `attempt` for up to 5 s (a closed stream is noticed by the server asynchronously). */
async function retryUntil<T>(attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 50; i++) {
    const value = await attempt();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
