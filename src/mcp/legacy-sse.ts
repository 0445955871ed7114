/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05): `GET /sse` + `POST /messages?sessionId=…`.
 *
 * Kept in this one module because the SDK ships it only as a frozen v1 copy
 * (`@modelcontextprotocol/server-legacy/sse`, planned for removal in v3): dropping it later means
 * deleting this file and its two routes.
 */
import type { ServerResponse } from 'node:http';
import type { AuthInfo, Server } from '@modelcontextprotocol/server';
import type { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import type { Config } from '../config/index.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { injectTraceparent, withSpan } from '../telemetry/tracing.js';
import { type Caller, toAuthInfo } from './caller.js';
import { JsonRpcCode, requestIdOf, sendJsonRpcError } from './jsonrpc.js';
import { isJsonRpcMessage } from './message-shape.js';
import type { BuildServer } from './server-factory.js';
import { isPlausibleSessionId, newSessionId } from './sessions.js';

export interface LegacySseDeps {
  build: BuildServer;
  store: Pick<Store, 'kv' | 'bus'>;
  config: Pick<Config, 'keepAliveMs' | 'maxSseStreamsPerUser' | 'maxSseStreamsTotal'>;
  metrics: Pick<Metrics, 'sseStreams'>;
  logger: Logger;
}

/** A flat name, value list as an object (for an answer that is not the stream). */
function pairs(flat: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) headers[flat[i]!] = flat[i + 1]!;
  return headers;
}

/** Where a stream lives, in `Store.kv`, so a POST landing on another instance can be routed to it. */
interface StreamRecord {
  sub: string | null;
}

/** One JSON-RPC message for a stream held by another instance, sent over `Store.bus`. */
interface RoutedMessage {
  message: unknown;
  authInfo?: AuthInfo;
  /** The POST's W3C trace context, so the work on the stream's instance joins the same trace. */
  trace?: Record<string, string>;
}

/**
 * One stream open on this instance. An idle stream holds only this: the SDK transport and server are
 * built on its first message (most of a stream's life is idle, and thousands may be open).
 */
interface LocalStream {
  sub: string | null;
  res: ServerResponse;
  /** `{"sub":…}`, written back to `Store.kv` on every keep-alive tick. */
  recordJson: string;
  unsubscribe?: () => Promise<void>;
  transport?: SSEServerTransport;
  server?: Promise<Server>;
}

type SseTransportClass = new (id: string, res: ServerResponse) => SSEServerTransport;
let sseTransportClass: Promise<SseTransportClass> | undefined;

/**
 * The SDK's frozen SSE transport, imported on a stream's first message (it is a tenth of the start-up
 * time, and many deployments never see a legacy client). It is built for a stream that is already
 * open: `open` wrote the headers and the `endpoint` event, so its `start()`, which the SDK server
 * calls on connect and which would write them again, does nothing.
 */
function loadSseTransport(): Promise<SseTransportClass> {
  sseTransportClass ??= import('@modelcontextprotocol/server-legacy/sse').then(
    ({ SSEServerTransport: Base }) =>
      class OpenedSseTransport extends Base {
        constructor(id: string, res: ServerResponse) {
          super(MESSAGES_PATH, res);
          // The frozen transport names sessions with randomUUID (122 random bits); ours carry 256.
          const fields = this as unknown as { _sessionId: string; _sseResponse: ServerResponse };
          fields._sessionId = id;
          fields._sseResponse = res;
        }
        override async start(): Promise<void> {}
      },
  );
  return sseTransportClass;
}

const MESSAGES_PATH = '/messages';
const streamKey = (id: string) => `mcp:sse:${id}`;
const streamChannel = (id: string) => `mcp:sse:${id}`;

/** The head of every stream (the SDK transport's headers), after the caller's own. */
const STREAM_HEADERS = [
  'Content-Type',
  'text/event-stream',
  'Cache-Control',
  'no-cache, no-transform',
  'Connection',
  'keep-alive',
] as const;

/**
 * Open legacy SSE streams on this instance, and the routing of POSTed messages to them (locally, or
 * over the message bus to the instance that holds the stream). One timer serves every stream's
 * keep-alive, so an idle stream costs no timer of its own.
 */
export class LegacySse {
  private readonly streams = new Map<string, LocalStream>();
  /** Stream records expire unless refreshed by the keep-alive, so a crashed instance's streams vanish. */
  private readonly recordTtlSeconds: number;
  /** Runs while at least one stream is open. */
  private keepAliveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LegacySseDeps) {
    this.recordTtlSeconds = Math.max(30, Math.ceil((deps.config.keepAliveMs * 3) / 1000));
  }

  /** Why one more stream for `sub` would exceed a limit, or undefined. */
  private refusal(sub: string | null): string | undefined {
    const { maxSseStreamsTotal, maxSseStreamsPerUser } = this.deps.config;
    if (this.streams.size >= maxSseStreamsTotal) {
      return `this server holds its maximum of ${maxSseStreamsTotal} SSE streams; retry later or use Streamable HTTP at /mcp`;
    }
    let mine = 0;
    for (const stream of this.streams.values()) if (stream.sub === sub) mine++;
    if (mine >= maxSseStreamsPerUser) {
      return `you already have ${mine} open SSE streams (the limit per user is ${maxSseStreamsPerUser}); close one, or use Streamable HTTP at /mcp`;
    }
    return undefined;
  }

  /**
   * One keep-alive tick for every stream: a comment down the stream (so proxies keep it open) and
   * its record written back (set, not touch: it restores the record after Redis lost its data).
   */
  private keepAlive(): void {
    const { kv } = this.deps.store;
    for (const [id, stream] of this.streams) {
      if (stream.res.headersSent) stream.res.write(': keepalive\n\n');
      kv.set(streamKey(id), stream.recordJson, this.recordTtlSeconds).catch(() => undefined);
    }
  }

  private track(id: string, stream: LocalStream): void {
    this.streams.set(id, stream);
    this.deps.metrics.sseStreams.inc();
    this.keepAliveTimer ??= setInterval(() => this.keepAlive(), this.deps.config.keepAliveMs);
  }

  /** Forgets a closed stream and releases what it held; false when it was already forgotten. */
  private forget(id: string): boolean {
    const stream = this.streams.get(id);
    if (!stream) return false;
    this.streams.delete(id);
    this.deps.metrics.sseStreams.dec();
    if (this.streams.size === 0) {
      clearInterval(this.keepAliveTimer);
      this.keepAliveTimer = undefined;
    }
    void stream.unsubscribe?.().catch(() => undefined);
    void this.deps.store.kv.delete(streamKey(id)).catch(() => undefined);
    void stream.server?.then((server) => server.close()).catch(() => undefined);
    return true;
  }

  /**
   * `GET /sse`: opens a stream whose first event is `endpoint`, owned by the caller's subject.
   * `headers` (a flat name, value list) go out with the stream's head, for a caller that serves the
   * request outside express (request id, CORS, rate-limit fields); express callers set theirs on `res`.
   */
  async open(
    res: ServerResponse,
    caller: Pick<Caller, 'sub'> | undefined,
    headers: readonly string[] = [],
  ): Promise<void> {
    const sub = caller?.sub ?? null;
    const refusal = this.refusal(sub);
    if (refusal) {
      sendJsonRpcError(res, 503, JsonRpcCode.ServerError, `Too many SSE streams: ${refusal}`, {
        headers: { 'Retry-After': '30', ...pairs(headers) },
      });
      return;
    }
    const id = newSessionId();
    const stream: LocalStream = { sub, res, recordJson: JSON.stringify({ sub } satisfies StreamRecord) };
    this.track(id, stream);
    // Registered first, so a stream whose setup fails below (store down) is still cleaned up.
    res.once('close', () => this.forget(id));
    const unsubscribe = await this.deps.store.bus.subscribe(streamChannel(id), (raw) => this.deliverRouted(id, raw));
    if (!this.streams.has(id)) {
      await unsubscribe(); // the client left while we subscribed
      return;
    }
    stream.unsubscribe = unsubscribe;
    await this.deps.store.kv.set(streamKey(id), stream.recordJson, this.recordTtlSeconds);
    if (res.destroyed) return;
    res.writeHead(200, [...headers, ...STREAM_HEADERS]);
    res.write(`event: endpoint\ndata: ${MESSAGES_PATH}?sessionId=${id}\n\n`);
    res.socket?.setNoDelay(true);
  }

  /** Hands one message to the stream's SDK server, building and connecting it on the first message. */
  private async deliver(
    id: string,
    stream: LocalStream,
    message: unknown,
    authInfo: AuthInfo | undefined,
  ): Promise<void> {
    stream.server ??= (async () => {
      const Transport = await loadSseTransport();
      stream.transport = new Transport(id, stream.res);
      const server = this.deps.build();
      await server.connect(stream.transport);
      return server;
    })();
    await stream.server;
    await stream.transport!.handleMessage(message, { authInfo });
  }

  /** A message routed from another instance to a stream held here. */
  private deliverRouted(id: string, raw: string): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    try {
      const routed = JSON.parse(raw) as RoutedMessage;
      void withSpan('mcp.routed_message', {}, () => this.deliver(id, stream, routed.message, routed.authInfo), {
        parentHeaders: routed.trace,
      }).catch(() => undefined);
    } catch (error) {
      this.deps.logger.warn({ err: error, sessionId: id }, 'dropped a malformed routed SSE message');
    }
  }

  /**
   * `POST /messages?sessionId=…`: hands the message to the caller's stream (here, or over the bus)
   * and answers 202; the JSON-RPC response goes down the stream. Another user's session is treated
   * as unknown: refused, and nothing reaches that stream.
   */
  async post(res: ServerResponse, sessionId: string, body: unknown, caller: Caller | undefined): Promise<void> {
    const id = requestIdOf(body);
    // The route's gate lets batches through; this transport takes one message (checked as the SDK's parser would).
    if (!isJsonRpcMessage(body)) {
      sendJsonRpcError(
        res,
        400,
        JsonRpcCode.InvalidRequest,
        'Invalid Request: the body must be one JSON-RPC 2.0 message ({"jsonrpc":"2.0","method":…})',
        { id },
      );
      return;
    }
    const sub = caller?.sub ?? null;
    const owner = await this.ownerOf(sessionId);
    if (owner === undefined || (owner.sub !== null && owner.sub !== sub)) {
      sendJsonRpcError(
        res,
        404,
        JsonRpcCode.SessionNotFound,
        'Session not found: this sessionId is unknown, closed or belongs to another user; open a new stream with GET /sse',
        { id },
      );
      return;
    }
    const authInfo = caller ? toAuthInfo(caller) : undefined;
    const local = this.streams.get(sessionId);
    if (local) {
      await this.deliver(sessionId, local, body, authInfo);
    } else {
      const routed: RoutedMessage = { message: body, authInfo, trace: injectTraceparent({}) };
      await this.deps.store.bus.publish(streamChannel(sessionId), JSON.stringify(routed));
    }
    res.writeHead(202, { 'Content-Type': 'text/plain' }).end('Accepted');
  }

  private async ownerOf(sessionId: string): Promise<StreamRecord | undefined> {
    if (!isPlausibleSessionId(sessionId)) return undefined;
    const local = this.streams.get(sessionId);
    if (local) return { sub: local.sub };
    const raw = await this.deps.store.kv.get(streamKey(sessionId));
    return raw === undefined ? undefined : (JSON.parse(raw) as StreamRecord);
  }

  /** Ends every stream held here cleanly (graceful shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.streams.values()].map(async (stream) => {
        stream.res.end();
        await stream.server?.then((server) => server.close()).catch(() => undefined);
      }),
    );
  }

  /** Open streams on this instance. */
  get activeCount(): number {
    return this.streams.size;
  }
}
