/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05): `GET /sse` + `POST /messages?sessionId=…`.
 *
 * A stream is only a response held open: each POSTed message runs on a fresh server on the instance the
 * POST reached (as a Streamable HTTP session's messages do), and what that server sends goes down the
 * stream, written here or, when another instance holds the stream, published to it over `Store.bus`.
 * Only JSON-RPC messages the server sent cross the bus: never the caller's token, which a message routed
 * to the stream's instance for it to run would have to carry. Dropping this transport later means
 * deleting this file and its two routes.
 */
import type { ServerResponse } from 'node:http';
import type { AuthInfo, JSONRPCMessage, RequestId, Transport } from '@modelcontextprotocol/server';
import type { Config } from '../config/index.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { SessionCancellations, isCancellation } from './cancellations.js';
import { type Caller, toAuthInfo } from './caller.js';
import { JsonRpcCode, boundedAnswer, requestIdOf, sendJsonRpcError } from './jsonrpc.js';
import { isAnswerMessage, isJsonRpcMessage, isRequestMessage } from './message-shape.js';
import { answerDeadlineMs } from './post-transport.js';
import type { BuildServer } from './server-factory.js';
import { isPlausibleSessionId, newSessionId } from './sessions.js';
import { setHeaderList } from './inbound/request-context.js';
import { type StreamSlot, type StreamSlots, refuseStream } from './stream-slots.js';

export interface LegacySseDeps {
  build: BuildServer;
  store: Pick<Store, 'kv' | 'bus'>;
  /** The per-user and total stream limits, shared with the other kinds of stream. */
  slots: StreamSlots;
  config: Pick<Config, 'keepAliveMs' | 'upstreamTimeoutMs'>;
  metrics: Pick<Metrics, 'sseStreams'>;
  logger: Logger;
}

/** Where a stream lives, in `Store.kv`, so a POST landing on another instance can check its owner. */
interface StreamRecord {
  sub: string | null;
}

/** What crosses the bus to the instance holding a stream: one message the server sent, nothing else. */
interface RoutedMessage {
  message: unknown;
}

/** One stream open on this instance: the response held open, and what it holds of the shared state. */
interface LocalStream {
  sub: string | null;
  res: ServerResponse;
  /** `{"sub":…}`, written back to `Store.kv` on every keep-alive tick. */
  recordJson: string;
  slot: StreamSlot;
  unsubscribe?: () => Promise<void>;
}

/**
 * The SDK `Transport` of one POSTed message: what the server sends goes to the stream (`emit`), and the
 * answer to the message's request ends the exchange.
 */
class StreamReplyTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(
    private readonly emit: (message: JSONRPCMessage) => void,
    private readonly answered: (id: RequestId) => void,
  ) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    this.emit(boundedAnswer(message));
    if (isAnswerMessage(message) && message.id !== undefined) this.answered(message.id);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }
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
 * Open legacy SSE streams on this instance, the messages POSTed to them (run here, their answers written
 * to the stream or published to the instance holding it) and the cancellation of those calls wherever they
 * run. One timer serves every stream's keep-alive, so an idle stream costs no timer of its own.
 */
export class LegacySse {
  private readonly streams = new Map<string, LocalStream>();
  /** Stream records expire unless refreshed by the keep-alive, so a crashed instance's streams vanish. */
  private readonly recordTtlSeconds: number;
  /** Runs while at least one stream is open. */
  private keepAliveTimer: NodeJS.Timeout | undefined;
  /** Calls run here by stream and JSON-RPC id, for a `notifications/cancelled` POSTed to any instance. */
  private readonly cancellations: SessionCancellations;

  constructor(private readonly deps: LegacySseDeps) {
    this.recordTtlSeconds = Math.max(30, Math.ceil((deps.config.keepAliveMs * 3) / 1000));
    this.cancellations = new SessionCancellations({ bus: deps.store.bus, logger: deps.logger });
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
    stream.slot.release();
    void stream.unsubscribe?.().catch(() => undefined);
    void this.deps.store.kv.delete(streamKey(id)).catch(() => undefined);
    return true;
  }

  /**
   * `GET /sse`: opens a stream whose first event is `endpoint`, owned by the caller's subject.
   * `headers` (a flat name, value list: request id, CORS, rate-limit fields) go out with the stream's head
   * rather than being set on `res` one by one: an idle stream keeps its response for hours.
   */
  async open(
    res: ServerResponse,
    caller: Pick<Caller, 'sub'> | undefined,
    headers: readonly string[] = [],
  ): Promise<void> {
    const sub = caller?.sub ?? null;
    const slot = this.deps.slots.take(sub);
    if ('refusal' in slot) {
      setHeaderList(res, headers);
      return refuseStream(res, slot);
    }
    const id = newSessionId();
    const stream: LocalStream = { sub, res, slot, recordJson: JSON.stringify({ sub } satisfies StreamRecord) };
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

  /** Writes one message the server sent to a stream held here, as the SDK's SSE transport writes it. */
  private write(stream: LocalStream, message: unknown): void {
    if (stream.res.writableEnded) return;
    stream.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** Sends what a server sent for stream `id` down the stream: here, or over the bus to the instance holding it. */
  private emit(id: string, message: JSONRPCMessage): void {
    const local = this.streams.get(id);
    if (local) {
      this.write(local, message);
      return;
    }
    const routed: RoutedMessage = { message };
    this.deps.store.bus.publish(streamChannel(id), JSON.stringify(routed)).catch((error: unknown) => {
      this.deps.logger.warn({ err: (error as Error).message, sessionId: id }, 'an SSE answer could not be routed');
    });
  }

  /** A message another instance's server sent for a stream held here. */
  private deliverRouted(id: string, raw: string): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    let routed: RoutedMessage;
    try {
      routed = JSON.parse(raw) as RoutedMessage;
    } catch {
      routed = { message: undefined };
    }
    if (isJsonRpcMessage(routed.message)) this.write(stream, routed.message);
    else this.deps.logger.warn({ sessionId: id }, 'dropped a malformed routed SSE message');
  }

  /**
   * Runs one POSTed message on a fresh server here, its answer (and anything sent about it) going to the
   * stream. A request is tracked until answered, so a `notifications/cancelled` POSTed to any instance
   * reaches it; one never answered (a bug) is given up after the answer deadline, its server closed.
   */
  private async run(id: string, message: JSONRPCMessage, authInfo: AuthInfo | undefined): Promise<void> {
    if (isCancellation(message)) return this.cancellations.cancel(id, message);
    let finish: (answered: boolean) => void = () => {};
    const finished = new Promise<boolean>((resolve) => {
      finish = resolve;
    });
    const requestId = isRequestMessage(message) ? message.id : undefined;
    const transport = new StreamReplyTransport(
      (reply) => this.emit(id, reply),
      (answered) => answered === requestId && finish(true),
    );
    const server = this.deps.build();
    await server.connect(transport);
    if (requestId === undefined) return transport.onmessage?.(message, { authInfo });
    const untrack = this.cancellations.track(id, requestId, (notification) => {
      transport.onmessage?.(notification);
      finish(false);
    });
    const timer = setTimeout(() => finish(false), answerDeadlineMs(this.deps.config.upstreamTimeoutMs));
    transport.onmessage?.(message, { authInfo });
    const answered = await finished;
    clearTimeout(timer);
    untrack();
    // An answered server is simply dropped (see serveOnePost); only a handler still running needs aborting.
    if (!answered) await server.close();
  }

  /**
   * `POST /messages?sessionId=…`: answers 202 and runs the message here (`run`); the JSON-RPC response
   * goes down the stream. Another user's session is treated as unknown: refused, and nothing reaches
   * that stream.
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
    if (owner === undefined || owner.sub !== sub) {
      sendJsonRpcError(
        res,
        404,
        JsonRpcCode.SessionNotFound,
        'Session not found: this sessionId is unknown, closed or belongs to another user; open a new stream with GET /sse',
        { id },
      );
      return;
    }
    res.writeHead(202, { 'Content-Type': 'text/plain' }).end('Accepted');
    const authInfo = caller ? toAuthInfo(caller) : undefined;
    await this.run(sessionId, body as JSONRPCMessage, authInfo).catch((error: unknown) => {
      this.deps.logger.warn({ err: (error as Error).message, sessionId }, 'a message on a legacy SSE stream failed');
    });
  }

  private async ownerOf(sessionId: string): Promise<StreamRecord | undefined> {
    if (!isPlausibleSessionId(sessionId)) return undefined;
    const local = this.streams.get(sessionId);
    if (local) return { sub: local.sub };
    const raw = await this.deps.store.kv.get(streamKey(sessionId));
    return raw === undefined ? undefined : (JSON.parse(raw) as StreamRecord);
  }

  /** Ends every stream held here cleanly and stops listening for cancellations (graceful shutdown). */
  async closeAll(): Promise<void> {
    for (const stream of this.streams.values()) stream.res.end();
    await this.cancellations.close();
  }

  /** Open streams on this instance. */
  get activeCount(): number {
    return this.streams.size;
  }
}
