import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthInfo,
  DEFAULT_NEGOTIATED_PROTOCOL_VERSION,
  type EventStore,
  type InitializeRequest,
  type JSONRPCMessage,
  type MessageClassification,
  PerRequestHTTPServerTransport,
  type RequestId,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Server,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import type { CancelCall } from './cancellations.js';
import { SDK_ERA_2025 } from './era.js';
import { JsonRpcCode, boundedAnswer, sendJsonRpcError } from './jsonrpc.js';
import { isAnswerMessage, isInitializeMessage, isRequestMessage, messagesIn } from './message-shape.js';

/** The largest batch the SDK's Streamable HTTP transport accepts; the same limit here. */
const MAX_BATCH_SIZE = 100;

/**
 * How long a request may go unanswered before its exchange is given up and its server closed: a request
 * that never answers (a bug) must not pin its server in memory. Twice the upstream timeout (a read's retry)
 * and a margin.
 */
export function answerDeadlineMs(upstreamTimeoutMs: number): number {
  return upstreamTimeoutMs * 2 + 5_000;
}

/** How the answer to a POST's requests ends: every request answered (or cancelled), or given up on. */
interface AnswerEnd {
  requestIds: RequestId[];
  batch: boolean;
  complete: boolean;
}

/** How an SSE answer opens: whether a priming event may go first, and the keep-alive interval. */
interface StreamStart {
  priming: boolean;
  keepAliveMs: number;
}

/** Where the messages of one POST's answer go: collected for one JSON body, or streamed as SSE events. */
interface AnswerWriter {
  /** The POST's requests are about to be handled. */
  start(stream: StreamStart): void;
  /** An answer to one of the POST's requests, or a notification about one (progress). */
  message(message: JSONRPCMessage, isAnswer: boolean): Promise<void>;
  finish(end: AnswerEnd): Promise<void>;
}

/** What a 2025-era exchange's transport is classified as: nothing, for the SDK's `Server.connect`. */
const ERA_2025_CLASSIFICATION: MessageClassification = { era: SDK_ERA_2025 };

/**
 * An SDK `Transport` for one HTTP POST: it hands the POST's messages to the connected `Server` and
 * passes on what the server sends about them, until every request in the POST is answered.
 *
 * Why not the SDK's `WebStandardStreamableHTTPServerTransport` or `createMcpHandler` for these: they
 * work on web `Request` and `Response` objects, so a Node request was converted to a web one, its
 * messages validated again, and the answer serialized into a `Response` or a web stream and read back
 * out of it: about two thirds of the SDK's cost per call. The `Server` (protocol, handlers, validation
 * of every request and result) is the SDK's either way; only the carriage differs.
 *
 * It extends the SDK's `PerRequestHTTPServerTransport` for one reason: a `Server` connected to one binds
 * to the 2026-07-28 revision its classification names (`Server.connect` checks `instanceof`), which is
 * how a 2026-07-28 request is served (`modern` in `OnePost`). Everything the base class does with web
 * `Response`s is replaced here (`start`, `send`, `close`); its `handleMessage` is never called, the exchange
 * delivers the messages itself. A 2025-era POST is classified as the SDK's 2025 era, which binds nothing.
 */
class OnePostTransport extends PerRequestHTTPServerTransport implements Transport {
  supportedProtocolVersions: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
  private readonly answered = new Set<RequestId>();

  constructor(
    private readonly expected: ReadonlySet<RequestId>,
    private readonly writer: AnswerWriter,
    private readonly done: () => void,
    classification: MessageClassification = ERA_2025_CLASSIFICATION,
  ) {
    super({ classification });
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.supportedProtocolVersions = versions;
  }

  override async start(): Promise<void> {}

  /** Messages about none of this POST's requests have no stream here (a per-request server sends none). */
  override async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isAnswer = isAnswerMessage(message);
    const about = isAnswer ? message.id : options?.relatedRequestId;
    if (about === undefined || !this.expected.has(about)) return;
    await this.writer.message(isAnswer ? boundedAnswer(message) : message, isAnswer);
    if (!isAnswer) return;
    this.answered.add(about);
    if (this.answered.size === this.expected.size) this.done();
  }

  /**
   * The client cancelled one of this POST's requests: the server gets the notification (it aborts the call
   * and will send no answer, as the protocol asks), and the request counts as done here.
   */
  cancel(id: RequestId, notification: JSONRPCMessage): void {
    if (!this.expected.has(id) || this.answered.has(id)) return;
    this.onmessage?.(notification);
    this.answered.add(id);
    if (this.answered.size === this.expected.size) this.done();
  }

  override async close(): Promise<void> {
    this.onclose?.();
  }
}

function uncork(res: ServerResponse): void {
  res.uncork();
}

/** Collects the answers for one JSON body, in request order. */
class JsonAnswer implements AnswerWriter {
  private readonly answers = new Map<RequestId, JSONRPCMessage>();

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string>,
  ) {}

  start(): void {}

  async message(message: JSONRPCMessage, isAnswer: boolean): Promise<void> {
    // A JSON answer has no room for notifications: they are dropped, as the SDK does in JSON mode.
    if (isAnswer && 'id' in message && message.id !== undefined) this.answers.set(message.id, message);
  }

  /** The answers collected so far, in the order they came. */
  collected(): IterableIterator<JSONRPCMessage> {
    return this.answers.values();
  }

  async finish({ requestIds, batch, complete }: AnswerEnd): Promise<void> {
    const { res, headers } = this;
    // The client left (a 2026-07-28 client cancelling by disconnecting): there is no one to answer.
    if (res.destroyed) return;
    if (!complete) {
      return sendJsonRpcError(
        res,
        500,
        JsonRpcCode.InternalError,
        'Internal error: the request was not answered in time',
      );
    }
    // A cancelled request has no answer; when every request was cancelled there is nothing to send.
    const ordered = requestIds.flatMap((id) => this.answers.get(id) ?? []);
    if (ordered.length === 0) {
      res.writeHead(202, headers).end();
      return;
    }
    const payload = JSON.stringify(batch ? ordered : ordered[0]);
    res
      .writeHead(200, {
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(payload)),
      })
      .end(payload);
  }
}

/**
 * Streams one POST's answer as SSE, in the SDK's format: each event stored in the session's event log
 * first (its id lets a client that lost the stream resume it with `Last-Event-ID`, on any instance),
 * a priming event for revisions that allow one, keep-alive comments while a call runs. A client that
 * disconnects stops the writing, not the storing: the answer still reaches the log.
 */
class SseAnswer implements AnswerWriter {
  private queue: Promise<void> = Promise.resolve();
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly streamId = randomUUID();

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string>,
    private readonly events: EventStore | undefined,
  ) {}

  start({ priming, keepAliveMs }: StreamStart): void {
    this.res.writeHead(200, {
      ...this.headers,
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // The headers go out at once, so a client sees the stream open; with a priming event they go with it.
    if (priming && this.events) this.enqueue({} as JSONRPCMessage, (id) => (id ? `id: ${id}\ndata: \n\n` : ''));
    else this.res.flushHeaders();
    if (keepAliveMs >= 1) {
      this.keepAlive = setInterval(() => this.write(': keepalive\n\n'), keepAliveMs);
      this.keepAlive.unref();
    }
  }

  message(message: JSONRPCMessage): Promise<void> {
    return this.enqueue(
      message,
      (id) => `event: message\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(message)}\n\n`,
    );
  }

  /** Ends the stream once every event queued so far is written. */
  async finish(): Promise<void> {
    await this.queue;
    clearInterval(this.keepAlive);
    // Node 24 drops what is still corked when the response ends (Node 20 flushes it): release it first.
    while (this.res.writableCorked > 0) this.res.uncork();
    if (!this.res.writableEnded) this.res.end();
  }

  /** Events go out in the order they were sent, each after it is stored (without an id if the log fails). */
  private enqueue(message: JSONRPCMessage, format: (id: string | undefined) => string): Promise<void> {
    this.queue = this.queue.then(async () => {
      let id: string | undefined;
      try {
        id = this.events ? await this.events.storeEvent(this.streamId, message) : undefined;
      } catch {
        id = undefined; // the client gets the event; only resuming past it is lost
      }
      this.write(format(id));
    });
    return this.queue;
  }

  /**
   * Writes go out corked until the current tick's work is done: the answer's event and the stream's end
   * (or the headers and the priming event) leave in one packet, not one system call each.
   */
  private write(text: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    // Nothing to write (a priming event the log could not store): the headers still go out now.
    if (text === '') return void (this.res.headersSent || this.res.flushHeaders());
    this.res.cork();
    this.res.write(text);
    process.nextTick(uncork, this.res);
  }
}

/**
 * A session POST whose client accepts JSON and SSE alike: one JSON body when every request is answered
 * within `streamAfterMs` and nothing else is sent about them, else an SSE stream (`SseAnswer`) from then
 * on, the answers collected so far first. A quick answer costs no event-log writes and leaves in one
 * packet; a slow call or one that reports progress still gets what only a stream gives: the priming
 * event that makes it resumable with `Last-Event-ID`, keep-alive comments through idle-timeout proxies,
 * notifications as they happen.
 */
class JsonUnlessSlowAnswer implements AnswerWriter {
  private readonly json: JsonAnswer;
  private stream: SseAnswer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  /** Set by `start`, which comes before any message. */
  private streamStart: StreamStart = { priming: false, keepAliveMs: 0 };

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string>,
    private readonly events: EventStore | undefined,
    private readonly streamAfterMs: number,
  ) {
    this.json = new JsonAnswer(res, headers);
  }

  start(stream: StreamStart): void {
    this.streamStart = stream;
    this.timer = setTimeout(() => this.streamed(), this.streamAfterMs);
  }

  message(message: JSONRPCMessage, isAnswer: boolean): Promise<void> {
    if (isAnswer && !this.stream) return this.json.message(message, isAnswer);
    // Nothing goes out after a JSON answer: its response is complete (a stream ignores late writes itself).
    if (this.finished && !this.stream) return Promise.resolve();
    return this.streamed().message(message);
  }

  async finish(end: AnswerEnd): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    await (this.stream ?? this.json).finish(end);
  }

  /** The SSE answer, opened on first need. */
  private streamed(): SseAnswer {
    if (this.stream) return this.stream;
    clearTimeout(this.timer);
    const stream = new SseAnswer(this.res, this.headers, this.events);
    stream.start(this.streamStart);
    for (const answer of this.json.collected()) void stream.message(answer);
    this.stream = stream;
    return stream;
  }
}

/** What serving one POST needs: a fresh server, the caller's auth and how the answer goes out. */
export interface OnePost {
  server: Server;
  req: IncomingMessage;
  res: ServerResponse;
  /** The parsed body, already checked to be JSON-RPC (one message or a non-empty batch). */
  body: unknown;
  authInfo: AuthInfo | undefined;
  /**
   * One JSON body, an SSE stream (whose events go to `events` when the session keeps a log), or JSON
   * turning into SSE when the answer takes longer than `streamAfterMs` (`JsonUnlessSlowAnswer`).
   */
  shape: 'json' | 'sse' | 'json-unless-slow';
  streamAfterMs?: number;
  events?: EventStore;
  keepAliveMs: number;
  /** Headers for the answer besides its content type (the session id). */
  headers?: Record<string, string>;
  /** A request never answered (a bug) must not hold its server forever. */
  giveUpMs: number;
  /** Registers each request of the POST as cancellable (session calls); returns the function that forgets it. */
  track?: (requestId: RequestId, cancel: CancelCall) => () => void;
  /**
   * For a 2026-07-28 request, its classification (`acceptedModernRequest` in era.ts): the server, built for
   * that era, binds to the revision it names, and a client that disconnects before the answer cancels the
   * call (in that revision closing the response is how a client cancels; the server MUST treat it so).
   */
  modern?: MessageClassification;
}

/** How an exchange ends: every request answered, given up on after `giveUpMs`, or its client gone (2026-07-28). */
type Ending = 'answered' | 'overdue' | 'disconnected';

/**
 * Serves one POST of a 2025-era client (stateless, or in a session the caller owns) or one plain
 * 2026-07-28 request (`modern`), with the rules of the SDK's Streamable HTTP transport: at most 100
 * messages in a batch, one `initialize` alone, a supported `MCP-Protocol-Version` header on anything
 * else, 202 with no body when there is no request in it, else 200 with the answer as JSON (or the batch
 * of answers, in request order) or as SSE events.
 */
export async function serveOnePost(post: OnePost): Promise<void> {
  const { server, req, res, body, modern } = post;
  const headers = post.headers ?? {};
  const messages = messagesIn(body) as JSONRPCMessage[];
  const requestIds = [...new Set(messages.filter(isRequestMessage).map((message) => message.id))];
  // Set by the executor, which runs before the constructor returns.
  let end!: (ending: Ending) => void;
  const ending = new Promise<Ending>((resolve) => {
    end = resolve;
  });
  const writer = answerWriter(post, headers);
  const transport = new OnePostTransport(new Set(requestIds), writer, () => end('answered'), modern);
  await server.connect(transport);
  const extra = { authInfo: post.authInfo, ...(modern && { classification: modern }) };
  // Closing is only needed to abort a handler still running. After every request is answered, the
  // server and transport are simply dropped: the SDK's close builds an Error with a stack trace to
  // settle pending work, and that was a measurable share of every call.
  let abandoned = false;
  const { track } = post;
  const forget = track ? requestIds.map((id) => track(id, (notification) => transport.cancel(id, notification))) : [];
  // Only a 2026-07-28 client cancels by leaving; a 2025-era exchange builds no listener for it.
  const disconnected = modern ? endOnDisconnect(res, end) : undefined;
  if (disconnected) res.once('close', disconnected);
  try {
    const refusal = refusalOf(req, messages, transport.supportedProtocolVersions);
    if (refusal) return sendJsonRpcError(res, 400, refusal.code, refusal.message);
    if (requestIds.length === 0) {
      for (const message of messages) transport.onmessage?.(message, extra);
      res.writeHead(202, headers).end();
      return;
    }
    writer.start({
      priming: primingAllowed(req, messages, transport.supportedProtocolVersions),
      keepAliveMs: post.keepAliveMs,
    });
    for (const message of messages) transport.onmessage?.(message, extra);
    const timer = setTimeout(() => end('overdue'), post.giveUpMs);
    const how = await ending;
    clearTimeout(timer);
    abandoned = how !== 'answered';
    // Also after a disconnect: the writer's timers stop, and what it writes goes nowhere.
    await writer.finish({ requestIds, batch: Array.isArray(body), complete: how === 'answered' });
  } finally {
    if (disconnected) res.off('close', disconnected);
    for (const untrack of forget) untrack();
    if (abandoned) await server.close();
  }
}

/** The listener for `close` that ends a 2026-07-28 exchange whose client left before its answer was sent. */
function endOnDisconnect(res: ServerResponse, end: (ending: Ending) => void): () => void {
  return () => {
    if (!res.writableFinished) end('disconnected');
  };
}

/** The writer for the exchange's answer shape; `headers` go on the answer besides its content type. */
function answerWriter(post: OnePost, headers: Record<string, string>): AnswerWriter {
  const { res, events } = post;
  switch (post.shape) {
    case 'json':
      return new JsonAnswer(res, headers);
    case 'sse':
      return new SseAnswer(res, headers, events);
    case 'json-unless-slow':
      return new JsonUnlessSlowAnswer(res, headers, events, post.streamAfterMs ?? 0);
  }
}

/** Whether the stream may open with an empty priming event: revisions from 2025-11-25 on, as the SDK decides. */
function primingAllowed(req: IncomingMessage, messages: JSONRPCMessage[], supported: readonly string[]): boolean {
  const initialize = messages.find(isInitializeMessage) as InitializeRequest | undefined;
  const claimed = initialize ? initialize.params.protocolVersion : req.headers['mcp-protocol-version'];
  const version = typeof claimed === 'string' ? claimed : DEFAULT_NEGOTIATED_PROTOCOL_VERSION;
  return supported.includes(version) && version >= '2025-11-25';
}

/** What the SDK's transport refuses before a message reaches the server, as the same JSON-RPC errors. */
function refusalOf(
  req: IncomingMessage,
  messages: JSONRPCMessage[],
  supported: readonly string[],
): { code: number; message: string } | undefined {
  if (messages.length > MAX_BATCH_SIZE) {
    return {
      code: JsonRpcCode.InvalidRequest,
      message: `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`,
    };
  }
  if (messages.some(isInitializeMessage)) {
    return messages.length > 1
      ? { code: JsonRpcCode.InvalidRequest, message: 'Invalid Request: Only one initialization request is allowed' }
      : undefined;
  }
  const version = req.headers['mcp-protocol-version'];
  if (version !== undefined && !supported.includes(String(version))) {
    return {
      code: JsonRpcCode.ServerError,
      message: `Bad Request: Unsupported protocol version: ${version} (supported versions: ${supported.join(', ')})`,
    };
  }
  return undefined;
}
