/**
 * The answer shape a session POST gets when its client accepts JSON and SSE alike: one JSON body when
 * the answer is quick, an SSE stream (resumable, with the answers so far first) once it is slow or the
 * server sends something else about the request; and a 2026-07-28 request whose client leaves, which
 * cancels the call. Served by a real SDK `Server` over real HTTP.
 */
import { type Server as HttpServer, type ServerResponse, createServer } from 'node:http';
import { type CallToolRequest, SUPPORTED_PROTOCOL_VERSIONS, Server } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/eventually.js';
import { closeServer, listen } from '../../test/helpers/loopback.js';
import { REVISION_2026, modernRequest } from '../../test/helpers/modern-request.js';
import { type SseEvent, eventsUntilEnd, openSse } from '../../test/helpers/sse.js';
import { createMemoryStore } from '../state/memory.js';
import { silentLogger } from '../telemetry/logger.js';
import { acceptedModernRequest } from './era.js';
import { createSessionEventStore } from './event-store.js';
import { serveOnePost } from './post-transport.js';

// Far above a quick call even on a loaded CI machine; slow calls wait past it.
const STREAM_AFTER_MS = 500;
const SLOW_MS = STREAM_AFTER_MS + 300;
const SESSION = 'session-1';
const events = createMemoryStore({ logger: silentLogger() }).events;

/** A progress notification sent after its call was answered (`lateProgress`), once it has gone or failed. */
let lateNotification: Promise<void> | undefined;

/** A `tools/call` that waits `delayMs` and, when asked, reports progress first or after its answer. */
function buildServer(): Server {
  const server = new Server({ name: 'test', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/call', async (request: CallToolRequest, ctx) => {
    const {
      delayMs = 0,
      progress = false,
      lateProgress = false,
    } = (request.params.arguments ?? {}) as { delayMs?: number; progress?: boolean; lateProgress?: boolean };
    const notifyProgress = () =>
      ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: 'p', progress: 1 } });
    if (progress) await notifyProgress();
    if (lateProgress) {
      lateNotification = new Promise((resolve) => setTimeout(resolve, 20)).then(notifyProgress);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { content: [{ type: 'text', text: `waited ${delayMs}` }] };
  });
  return server;
}

let http: HttpServer;
let url: string;

beforeAll(async () => {
  http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await serveOnePost({
      server: buildServer(),
      req,
      res,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      authInfo: undefined,
      shape: 'json-unless-slow',
      streamAfterMs: STREAM_AFTER_MS,
      events: createSessionEventStore(events, SESSION, 60),
      keepAliveMs: 50,
      headers: { 'mcp-session-id': SESSION },
      giveUpMs: 5_000,
    });
  });
  url = await listen(http);
});
afterAll(() => closeServer(http));

function call(id: number, args: { delayMs?: number; progress?: boolean; lateProgress?: boolean }) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'wait', arguments: args } };
}

const headers = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  'MCP-Protocol-Version': '2025-11-25',
};

/** Every event of an SSE answer, until the server ends it. */
async function streamed(body: unknown) {
  const stream = await openSse(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { stream, events: await eventsUntilEnd(stream, 5_000) };
}

const messagesOf = (seen: SseEvent[]) =>
  seen.filter((event) => event.data !== '').map((event) => JSON.parse(event.data));

describe('a session POST accepting JSON and SSE', () => {
  it('gets one JSON body when the answer comes before the stream would open', async () => {
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(call(1, {})) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('mcp-session-id')).toBe(SESSION);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: 1, result: { content: [{ text: 'waited 0' }] } });
  });

  it('gets a resumable SSE stream, with keep-alives, when the answer is slow', async () => {
    const { stream, events: seen } = await streamed(call(2, { delayMs: SLOW_MS }));
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.headers.get('mcp-session-id')).toBe(SESSION);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ data: '', id: expect.any(String) });
    expect(seen[1]?.id).toBeTruthy();
    expect(JSON.parse(seen[1]!.data)).toMatchObject({ id: 2, result: { content: [{ text: `waited ${SLOW_MS}` }] } });
    expect(stream.comments()).toBeGreaterThanOrEqual(2);
    // What a client resuming from the priming event would be sent again: the answer, from the log.
    const replay = await events.readAfter(seen[0]!.id!);
    expect(replay?.events.map((event) => event.message).join('')).toContain('"id":2');
  });

  it('gets a stream at once when the server reports progress, the notification before the answer', async () => {
    const { stream, events: seen } = await streamed(call(3, { progress: true }));
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(messagesOf(seen)).toMatchObject([
      { method: 'notifications/progress', params: { progress: 1 } },
      { id: 3, result: expect.any(Object) },
    ]);
  });

  it('streams a batch whose second answer is slow, the first answer sent as soon as the stream opens', async () => {
    const { events: seen } = await streamed([call(4, {}), call(5, { delayMs: SLOW_MS })]);
    expect(messagesOf(seen).map((message) => message.id)).toEqual([4, 5]);
    expect(seen.filter((event) => event.data !== '').every((event) => event.id)).toBe(true);
  });

  it('keeps its JSON answer whole when the server sends something about the call after answering', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(call(8, { lateProgress: true })),
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ id: 8, result: expect.any(Object) });
    // The late notification has nowhere to go: it is dropped, not written after the complete answer.
    await expect(lateNotification).resolves.toBeUndefined();
  });

  it('gets a JSON batch, in request order, when every answer is quick', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify([call(7, { delayMs: 20 }), call(6, {})]),
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(((await response.json()) as { id: number }[]).map((message) => message.id)).toEqual([7, 6]);
  });
});

describe('a 2026-07-28 request whose client disconnects', () => {
  it('cancels the call and writes nothing to the closed response', async () => {
    let started = false;
    let aborted = false;
    const server = new Server(
      { name: 'test', version: '1.0.0' },
      { capabilities: { tools: {} }, supportedProtocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS, REVISION_2026] },
    );
    server.setRequestHandler('tools/call', async (_request, ctx) => {
      started = true;
      await new Promise((resolve) => ctx.mcpReq.signal.addEventListener('abort', resolve));
      aborted = true;
      return { content: [] };
    });
    const { body, headers: modernHeaders } = modernRequest(1, 'tools/call', { name: 'wait', arguments: {} });
    let response: ServerResponse | undefined;
    let served: Promise<void> | undefined;
    const modernHttp = createServer((req, res) => {
      // Classified as routes.ts classifies it before the bridge's transport takes it.
      const route = acceptedModernRequest(req, body);
      if (!route) throw new Error('the request is not a plain 2026-07-28 request');
      response = res;
      served = serveOnePost({
        server,
        req,
        res,
        body,
        authInfo: undefined,
        shape: 'json',
        keepAliveMs: 0,
        giveUpMs: 5_000,
        modern: route.classification,
      });
    });
    const modernUrl = await listen(modernHttp);
    try {
      const abort = new AbortController();
      const call = fetch(modernUrl, {
        method: 'POST',
        headers: { ...modernHeaders, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      }).catch((error: unknown) => (error as Error).name);
      await eventually(async () => started, 10);
      abort.abort();
      expect(await call).toBe('AbortError');
      await served;
      expect(aborted).toBe(true);
      // No "not answered in time" 500 after the client left: the response was never written.
      expect(response?.headersSent).toBe(false);
      expect(response?.writableEnded).toBe(false);
    } finally {
      await closeServer(modernHttp);
    }
  });
});
