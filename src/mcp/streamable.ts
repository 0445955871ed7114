import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type EventStore,
  type InitializeRequest,
  type JSONRPCMessage,
  type MessageClassification,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { Config } from '../config/index.js';
import type { EventLog, MessageBus } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import { SessionCancellations, isCancellation } from './cancellations.js';
import { type Caller, toAuthInfo } from './caller.js';
import { type AcceptedModernRequest, SDK_ERA_2025 } from './era.js';
import { createSessionEventStore, deleteSessionEvents } from './event-store.js';
import { isAnswerMessage, messagesIn } from './message-shape.js';
import { answerDeadlineMs, serveOnePost } from './post-transport.js';
import { JsonRpcCode, boundedAnswer, requestIdOf, sendJsonRpcError } from './jsonrpc.js';
import type { BuildServer } from './server-factory.js';
import { type SessionRegistry, sessionRecord } from './sessions.js';
import { type StreamSlots, refuseStream } from './stream-slots.js';
import { webRequestOf } from './web-request.js';
import { writeWebResponse } from './web-response.js';

/** What the Streamable HTTP transport needs. */
export interface StreamableDeps {
  build: BuildServer;
  sessions: SessionRegistry;
  /** The per-user and total stream limits, shared with the other kinds of stream. */
  slots: StreamSlots;
  events: EventLog;
  /** Carries a session's cancellations to the instance running the call. */
  bus: MessageBus;
  config: Pick<
    Config,
    | 'keepAliveMs'
    | 'streamAfterMs'
    | 'sessionIdleSeconds'
    | 'resumeWindowSeconds'
    | 'maxBodyBytes'
    | 'upstreamTimeoutMs'
    | 'publicUrl'
  >;
  logger: Logger;
}

type ResponseShape = 'json' | 'sse' | 'json-unless-slow';

/** Picks JSON or SSE for a POST from what the client accepts; `preferred` wins when both are accepted. */
function chooseShape<Preferred extends ResponseShape>(
  req: IncomingMessage,
  preferred: Preferred,
): Preferred | 'json' | 'sse' {
  const accept = req.headers.accept ?? '';
  const json = accept.includes('application/json') || accept.includes('*/*') || accept === '';
  const sse = accept.includes('text/event-stream');
  return json && sse ? preferred : sse ? 'sse' : 'json';
}

/**
 * Streamable HTTP for protocol revisions 2024-11-05 … 2025-11-25 on `/mcp`, and the plain requests of
 * the stateless 2026-07-28 revision (routes.ts leaves the rest of that revision to the SDK's handler).
 *
 * A session is a record in the shared store, not an object in this process: every request builds
 * a fresh server and a per-request transport (after this class's caller has checked the session and its
 * owner), so any instance can serve any session and resume its streams from the shared event log.
 * `initialize` and GET streams use the SDK's Streamable HTTP transport; every other POST uses the
 * bridge's own (post-transport.ts), which writes the same answers without the web Request/Response
 * round trip. Only open GET streams live here, so they can be ended on DELETE and at shutdown.
 */
export class StreamableHttp {
  private readonly openStreams = new Map<string, Set<WebStandardStreamableHTTPServerTransport>>();
  /** Sessions whose server stream (a GET without Last-Event-ID) is open here. */
  private readonly listening = new Set<string>();
  private readonly cancellations: SessionCancellations;

  constructor(private readonly deps: StreamableDeps) {
    this.cancellations = new SessionCancellations({ bus: deps.bus, logger: deps.logger });
  }

  /** Events are kept for the resumption window: a client that dropped a stream comes back within seconds. */
  private eventStore(sessionId: string): EventStore {
    const { resumeWindowSeconds, sessionIdleSeconds } = this.deps.config;
    return createSessionEventStore(this.deps.events, sessionId, Math.min(resumeWindowSeconds, sessionIdleSeconds));
  }

  private transport(options: {
    sessionId?: string;
    shape: 'json' | 'sse';
    eventStore?: EventStore;
  }): WebStandardStreamableHTTPServerTransport {
    const { sessionId } = options;
    return new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: sessionId === undefined ? undefined : () => sessionId,
      enableJsonResponse: options.shape === 'json',
      eventStore: options.eventStore,
      keepAliveMs: this.deps.config.keepAliveMs,
      maxRequestBodySize: this.deps.config.maxBodyBytes,
    });
  }

  /**
   * Serves `initialize` on a fresh server and the SDK's transport (which names the session), and
   * closes that server once it has answered: not when the client disconnects, so an answer still
   * reaches the event log and a client resuming with Last-Event-ID gets it. Returns the HTTP status.
   */
  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    caller: Caller | undefined,
    transport: WebStandardStreamableHTTPServerTransport,
  ): Promise<number> {
    // The SDK transport insists on both types in `Accept`; the shape was chosen already (`chooseShape`).
    req.headers.accept = 'application/json, text/event-stream';
    const server = this.deps.build();
    const lifetime = this.closeWhenAnswered(server, transport);
    await server.connect(transport);
    const webRequest = webRequestOf(req, this.deps.config.publicUrl);
    const authInfo = caller ? toAuthInfo(caller) : undefined;
    const response = await transport.handleRequest(webRequest, { parsedBody: body, authInfo });
    await writeWebResponse(res, response);
    // Refused (4xx) or notifications only (202): nothing will be answered later.
    if (response.status !== 200) lifetime.close();
    await lifetime.closed;
    return response.status;
  }

  /** `initialize` is one request (routes.ts sends only a lone `initialize` here): closed on its answer. */
  private closeWhenAnswered(server: Server, transport: WebStandardStreamableHTTPServerTransport) {
    const send = transport.send.bind(transport);
    let resolve = () => {};
    const closed = new Promise<void>((done) => {
      resolve = done;
    });
    let closing = false;
    const close = () => {
      if (closing) return;
      closing = true;
      clearTimeout(timer);
      void server.close().finally(resolve);
    };
    const timer = setTimeout(close, answerDeadlineMs(this.deps.config.upstreamTimeoutMs));
    timer.unref();
    transport.send = async (message: JSONRPCMessage, options?: Parameters<typeof send>[1]) => {
      await send(boundedAnswer(message), options);
      if (isAnswerMessage(message)) close();
    };
    return { close, closed };
  }

  /**
   * A POST (not `initialize`) on a fresh server, carried by the bridge's own transport (post-transport.ts):
   * in a session, without one, or a plain 2026-07-28 request (`modern`, see `acceptedModernRequest`).
   */
  private servePost(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    caller: Caller | undefined,
    shape: ResponseShape,
    on: { session?: string; modern?: MessageClassification } = {},
  ): Promise<void> {
    const { session, modern } = on;
    return serveOnePost({
      server: this.deps.build({ era: modern ? 'modern' : SDK_ERA_2025 }),
      req,
      res,
      body,
      authInfo: caller ? toAuthInfo(caller) : undefined,
      shape,
      events: session === undefined ? undefined : this.eventStore(session),
      keepAliveMs: this.deps.config.keepAliveMs,
      streamAfterMs: this.deps.config.streamAfterMs,
      headers: session === undefined ? undefined : { 'mcp-session-id': session },
      giveUpMs: answerDeadlineMs(this.deps.config.upstreamTimeoutMs),
      track: session === undefined ? undefined : (id, cancel) => this.cancellations.track(session, id, cancel),
      modern,
    });
  }

  /**
   * `initialize` without a session: opens a new session owned by the caller. The record is stored before
   * the SDK sees the request: a store that is down then fails here, answered as a retryable 503 by the
   * route, not inside the SDK's transport (which answers whatever its session hook throws as a parse error
   * and puts the error's text, infrastructure and all, in the answer).
   */
  async initialize(
    req: IncomingMessage,
    res: ServerResponse,
    body: InitializeRequest,
    caller: Caller | undefined,
    id: string,
    owner: string,
  ) {
    await this.deps.sessions.create(id, sessionRecord(body, caller), owner);
    const transport = this.transport({
      sessionId: id,
      shape: chooseShape(req, 'json'),
      eventStore: this.eventStore(id),
    });
    const status = await this.serve(req, res, body, caller, transport);
    if (status !== 200) await this.deps.sessions.delete(id);
  }

  /** A 2025-era request without a session: answered statelessly, JSON when the client accepts it. */
  async stateless(req: IncomingMessage, res: ServerResponse, body: unknown, caller: Caller | undefined) {
    await this.servePost(req, res, body, caller, chooseShape(req, 'json'));
  }

  /**
   * A POST in a session the caller owns (checked by the caller of this method). A client that accepts
   * both gets JSON when the answer comes within `MCP_STREAM_AFTER_MS`, else a resumable SSE stream. A
   * `notifications/cancelled` in it is also sent on to the call it names, wherever that runs: this POST's
   * own fresh server does not hold the call.
   */
  async post(req: IncomingMessage, res: ServerResponse, body: unknown, caller: Caller | undefined, id: string) {
    for (const message of messagesIn(body)) {
      if (!isCancellation(message)) continue;
      this.cancellations.cancel(id, message).catch((error: unknown) => {
        this.deps.logger.warn({ err: (error as Error).message }, 'a cancellation could not be sent on');
      });
    }
    await this.servePost(req, res, body, caller, this.answerShape(req), { session: id });
  }

  /**
   * A 2026-07-28 request that needs nothing but the server (`acceptedModernRequest`): answered like a session
   * POST, as JSON, or as SSE once the call is slow or reports progress; there is no session to resume in.
   */
  async modern(req: IncomingMessage, res: ServerResponse, request: AcceptedModernRequest, caller: Caller | undefined) {
    await this.servePost(req, res, request.message, caller, this.answerShape(req), {
      modern: request.classification,
    });
  }

  /** JSON while the answer is quick (`MCP_STREAM_AFTER_MS`), else SSE; always SSE when that is 0. */
  private answerShape(req: IncomingMessage) {
    return chooseShape(req, this.deps.config.streamAfterMs > 0 ? 'json-unless-slow' : 'sse');
  }

  /**
   * The session's server stream (GET), or a replay of a dropped stream when Last-Event-ID is sent. Each
   * counts against the caller's stream limit (`slots`), and a session has one server stream at a time,
   * as the specification allows (a second one is 409, as the SDK answers it).
   */
  async stream(req: IncomingMessage, res: ServerResponse, id: string, sub: string | null): Promise<void> {
    const resuming = req.headers['last-event-id'] !== undefined;
    if (!resuming && this.listening.has(id)) {
      return sendJsonRpcError(
        res,
        409,
        JsonRpcCode.ServerError,
        'Conflict: this session already has its server stream open (one GET /mcp stream per session); close it first',
      );
    }
    const slot = this.deps.slots.take(sub);
    if ('refusal' in slot) return refuseStream(res, slot);
    const transport = this.transport({ shape: 'sse', eventStore: this.eventStore(id) });
    let streams = this.openStreams.get(id);
    if (!streams) {
      streams = new Set();
      this.openStreams.set(id, streams);
    }
    streams.add(transport);
    if (!resuming) this.listening.add(id);
    res.on('close', () => {
      slot.release();
      if (!resuming) this.listening.delete(id);
      streams.delete(transport);
      if (streams.size === 0) this.openStreams.delete(id);
      void transport.close();
    });
    const response = await transport.handleRequest(webRequestOf(req, this.deps.config.publicUrl));
    await writeWebResponse(res, response, { 'mcp-session-id': id });
  }

  /** DELETE: ends the session everywhere, drops its stored events and closes its streams held here. */
  async terminate(res: ServerResponse, id: string): Promise<void> {
    await Promise.all([this.deps.sessions.delete(id), deleteSessionEvents(this.deps.events, id)]);
    await this.closeStreams(id);
    res.writeHead(200).end();
  }

  private async closeStreams(id: string): Promise<void> {
    const streams = this.openStreams.get(id);
    this.openStreams.delete(id);
    await Promise.all([...(streams ?? [])].map((transport) => transport.close()));
  }

  /** Ends every open server stream cleanly and stops listening for cancellations (graceful shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.openStreams.keys()].map((id) => this.closeStreams(id)));
    await this.cancellations.close();
  }
}

/** Answers a request that named a session this caller cannot use: unknown, expired or someone else's (alike). */
export function sessionNotFound(res: ServerResponse, body: unknown): void {
  sendJsonRpcError(
    res,
    404,
    JsonRpcCode.SessionNotFound,
    'Session not found: the Mcp-Session-Id is unknown, expired or belongs to another user; send initialize without Mcp-Session-Id to start a new session',
    { id: requestIdOf(body) },
  );
}
