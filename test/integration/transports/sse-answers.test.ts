/**
 * POSTs in a session answered as SSE: the bridge's own carriage (src/mcp/post-transport.ts) must write
 * what the SDK's transport writes, and stay useful when the session's event log fails. The bridge here
 * streams every answer (`MCP_STREAM_AFTER_MS=0`), as the SDK does; by default a quick answer goes as
 * JSON instead (src/mcp/post-transport.test.ts, test/integration/transports/sessions.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../src/state/memory.js';
import type { EventLog } from '../../../src/state/types.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { mcpPostInit, openSession as openSessionAt } from '../../helpers/mcp-post.js';
import { eventsUntilEnd, openSse } from '../../helpers/sse.js';
import { type Stack, startStack } from '../../helpers/stack.js';

let stack: Stack;
let token: string;
/** When set, every append to the event log fails, as Redis going away would make it. */
let logFault: Error | undefined;

beforeAll(async () => {
  const memory = createMemoryStore({ logger: silentLogger() });
  const events: EventLog = {
    ...memory.events,
    append: async (...args) => {
      if (logFault) throw logFault;
      return memory.events.append(...args);
    },
  };
  stack = await startStack({
    store: { ...memory, events },
    env: { MCP_KEEPALIVE_MS: '100', MCP_STREAM_AFTER_MS: '0' },
  });
  token = await stack.tokenFor('alice');
});
afterAll(() => stack?.close());

const openSession = (protocolVersion?: string) => openSessionAt(`${stack.url}/mcp`, token, protocolVersion);

/** Every event of one SSE answer, until the server ends the stream. */
async function answerEvents(sessionId: string, body: unknown, protocolVersion = '2025-11-25') {
  const stream = await openSse(
    `${stack.url}/mcp`,
    mcpPostInit(token, JSON.stringify(body), { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': protocolVersion }),
  );
  return { stream, events: await eventsUntilEnd(stream) };
}

const listCompanies = {
  jsonrpc: '2.0',
  id: 5,
  method: 'tools/call',
  params: { name: 'list_companies', arguments: {} },
};

describe('SSE answers to session POSTs', () => {
  it('stream a priming event, then the answer, each with an event id, and end', async () => {
    const sessionId = await openSession();
    const { stream, events } = await answerEvents(sessionId, listCompanies);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.headers.get('mcp-session-id')).toBe(sessionId);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ data: '', id: expect.any(String) });
    expect(events[1]?.event).toBe('message');
    expect(events[1]?.id).toBeTruthy();
    expect(JSON.parse(events[1]!.data)).toMatchObject({
      jsonrpc: '2.0',
      id: 5,
      result: { content: expect.any(Array) },
    });
  });

  it('send no priming event to a client on a revision before 2025-11-25', async () => {
    const sessionId = await openSession('2025-06-18');
    const { events } = await answerEvents(sessionId, listCompanies, '2025-06-18');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toMatchObject({ id: 5 });
  });

  it('keep a slow call alive with keep-alive comments', async () => {
    stack.sandbox.faults.set({ route: 'listCompanies', kind: 'latency', latencyMs: 450, times: 1 });
    try {
      const sessionId = await openSession();
      const { stream, events } = await answerEvents(sessionId, listCompanies);
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ id: 5, result: expect.any(Object) });
      expect(stream.comments()).toBeGreaterThanOrEqual(2);
    } finally {
      stack.sandbox.faults.clear();
    }
  });

  it('still deliver the answer, without an event id, when the event log fails', async () => {
    const sessionId = await openSession();
    logFault = new Error('event log down');
    try {
      const { events } = await answerEvents(sessionId, listCompanies);
      expect(events).toHaveLength(1);
      expect(events[0]?.id).toBeUndefined();
      expect(JSON.parse(events[0]!.data)).toMatchObject({ id: 5, result: expect.any(Object) });
    } finally {
      logFault = undefined;
    }
  });
});
