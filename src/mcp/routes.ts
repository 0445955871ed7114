import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { SpanStatusCode } from '@opentelemetry/api';
import { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from 'express';
import type { Auth, ProtectedRoute } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { parseToolsetsParameter } from '../tools/index.js';
import { withSpan } from '../telemetry/tracing.js';
import { type Caller, type McpPost, callerOf, toAuthInfo } from './caller.js';
import { is2025Era, plainModernRequest } from './era.js';
import { answerFailure } from './failure.js';
import { JsonRpcCode, requestIdOf, sendJsonRpcError } from './jsonrpc.js';
import { LegacySse } from './legacy-sse.js';
import { isInitializeMessage, isJsonRpcBody } from './message-shape.js';
import type { NodeHandler } from './front-door/index.js';
import { createPostHandler } from './front-door/post.js';
import { createSseOpenHandler, isPlainSseOpen } from './front-door/sse-open.js';
import { type TransportLabel, countMcpMessages, singleMethod } from './observe.js';
import type { BuildServer } from './server-factory.js';
import { SessionRegistry, newSessionId, sessionOwner } from './sessions.js';
import { StreamSlots } from './stream-slots.js';
import { type UserLimit, admitBatch } from './batch.js';
import type { RateLimitDecision, RateLimiter } from './inbound/rate-limit.js';
import { StreamableHttp, sessionNotFound } from './streamable.js';
import { cancellableWebRequestOf } from './web-request.js';
import { writeWebResponse } from './web-response.js';

/** What the MCP routes check every request with, supplied by the HTTP app. */
export interface McpRouteGuards {
  /** Parses the JSON body (413/415/-32700 on bad input); runs before auth so anonymous discovery can read the method. */
  parseBody: Array<RequestHandler | ErrorRequestHandler>;
  /** The bearer gate in two steps (the auth module's `checkToken` and `refuse`): check, count, then answer. */
  checkToken: Auth['checkToken'];
  refuse: Auth['refuse'];
  /** The rate limiter's `admit`: counts a checked request per user or per client IP (429 when over). */
  admit: RateLimiter['admit'];
  /** The rate limiter's `check`, for the messages of a batch beyond the first (see batch.ts). */
  rateLimitCheck: RateLimiter['check'];
  /** Answers with a decision of `rateLimitCheck` (its `RateLimit-*` fields, a 429 when over); whether the request may go on. */
  applyRateLimit: UserLimit<RateLimitDecision>['apply'];
  /** The client's address as express gives it (`req.ip`), for the access log and limits of requests served outside express. */
  clientIp: (req: IncomingMessage) => string | undefined;
}

export interface McpRoutesDeps {
  build: BuildServer;
  config: Readonly<Config>;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  guards: McpRouteGuards;
  /** The toolsets a connection may choose with `?toolsets=` (those the deployment serves). */
  toolsets: readonly string[];
}

/** The MCP transports mounted on an express router, and what shutdown and health need of them. */
export interface McpRoutes {
  router: Router;
  /**
   * The handler that may serve `req` on node's own objects before express (a plain `GET /sse`, see
   * front-door/sse-open.ts; a POST to an MCP path, see front-door/post.ts), or undefined when express
   * serves it. The handler resolves false when it left the request to express.
   */
  nodeHandler(req: IncomingMessage): NodeHandler | undefined;
  /** Open streams of every kind on this instance (legacy SSE, GET /mcp, subscriptions/listen). */
  sseStreamCount(): number;
  /** Streamable HTTP sessions in use on this instance, and their open GET streams. */
  sessionCount(): number;
  /** Ends every open stream cleanly (legacy SSE and Streamable HTTP GET streams): the first step of shutdown. */
  closeStreams(): Promise<void>;
  /**
   * Aborts what is still in flight on the SDK's 2026-07-28 handler (`subscriptions/listen` streams): the
   * last step of shutdown. Calls on the bridge's own transport end when their connections are closed.
   */
  close(): Promise<void>;
}

/** A route's middleware or error handler, as express mounts them. */
type Handler = RequestHandler | ErrorRequestHandler;

/** The paths the MCP transports answer on. */
export type McpPath = '/mcp' | '/mcp/readonly' | '/sse' | '/messages';

/** Methods a deployment with `allowAnonymousDiscovery` answers without a token. */
const ANONYMOUS_METHODS = new Set(['initialize', 'notifications/initialized', 'tools/list', 'server/discover', 'ping']);

function methodNotAllowed(res: ServerResponse, allow: string, message: string): void {
  sendJsonRpcError(res, 405, JsonRpcCode.ServerError, message, { headers: { Allow: allow } });
}

/** Valid JSON that is not JSON-RPC is an Invalid Request (-32600), answered before any transport sees it. */
function refuseNonJsonRpc(res: ServerResponse, body: unknown): void {
  sendJsonRpcError(
    res,
    400,
    JsonRpcCode.InvalidRequest,
    'Invalid Request: the body must be a JSON-RPC 2.0 message like {"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    { id: requestIdOf(body) },
  );
}

const requireJsonRpc: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || isJsonRpcBody(req.body)) return next();
  refuseNonJsonRpc(res, req.body);
};

/**
 * A server span around one MCP HTTP request, continuing the client's `traceparent` and ended when the
 * response closes (for `GET /sse`, when the stream ends). Mounted after body parsing: the parser's
 * stream events run outside the span's context, so handlers after it would lose the trace.
 */
const traceRequest: RequestHandler = (req, res, next) => {
  const protocol = req.headers['mcp-protocol-version'];
  void withSpan(
    'mcp.request',
    {
      'http.request.method': req.method,
      'http.route': req.path,
      // Bounded: both are whatever the client sent.
      'mcp.method.name': singleMethod(req.body)?.slice(0, 100),
      'mcp.protocol.version': typeof protocol === 'string' ? protocol.slice(0, 40) : undefined,
    },
    (span) =>
      new Promise<void>((resolve) => {
        res.once('close', () => {
          span.setAttribute('http.response.status_code', res.statusCode);
          const sub = (res.locals['caller'] as Caller | undefined)?.sub;
          if (sub !== undefined) span.setAttribute('enduser.id', sub);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          resolve();
        });
        next();
      }),
    { kind: 'server', parentHeaders: req.headers },
  );
};

/** An express POST that went through the route's middleware, as the POST handlers take it. */
function postOf(req: Request, res: Response): McpPost {
  const caller = res.locals['caller'] as Caller | undefined;
  return { body: req.body, caller, requestId: String(res.locals['requestId'] ?? '') };
}

function sessionIdOf(req: IncomingMessage): string | undefined {
  const value = req.headers['mcp-session-id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Every MCP transport on its routes, all serving one server definition:
 * - `/mcp`: Streamable HTTP sessions and stateless requests (2024-11-05 … 2025-11-25) and the
 *   stateless 2026-07-28 revision (`server/discover`, per-request `_meta` envelope);
 * - `/sse` + `/messages?sessionId=…`: the legacy HTTP+SSE transport;
 * - `/messages` without a session: one JSON-RPC request answered in the HTTP response.
 */
export function createMcpRoutes(deps: McpRoutesDeps): McpRoutes {
  const { config, store, metrics, guards } = deps;
  const sessions = new SessionRegistry(store.kv, config, metrics);
  // Every kind of long-lived stream (legacy SSE, GET /mcp, subscriptions/listen) counts against one limit.
  const slots = new StreamSlots(config);
  const userLimit = { check: guards.rateLimitCheck, apply: guards.applyRateLimit };
  const streamable = new StreamableHttp({
    build: deps.build,
    sessions,
    slots,
    events: store.events,
    bus: store.bus,
    config,
    logger: deps.logger,
  });
  const legacySse = new LegacySse({ build: deps.build, store, slots, config, metrics, logger: deps.logger });
  const modern = createMcpHandler(deps.build, {
    legacy: 'reject',
    keepAliveMs: config.keepAliveMs,
    maxRequestBodySize: config.maxBodyBytes,
    onerror: (error) => deps.logger.debug({ err: error.message }, '2026-07-28 request rejected'),
  });

  const allowAnonymous = config.allowAnonymousDiscovery
    ? (req: { method?: string; body?: unknown }) => {
        const method = singleMethod(req.body);
        return req.method === 'POST' && method !== undefined && ANONYMOUS_METHODS.has(method);
      }
    : undefined;
  /** The bearer gate and the rate limit as one step: the token is checked once, the outcome counted, then answered. */
  const authenticated = (route: ProtectedRoute): RequestHandler => {
    return async (req, res, next) => {
      const checked = await guards.checkToken(req, allowAnonymous);
      if (!(await guards.admit(req, res, checked))) return;
      if (!checked.ok) return guards.refuse(req, res, route, checked);
      // The caller, built once here, is what the route's handlers, the access log and the span read.
      if (checked.auth)
        res.locals['caller'] = callerOf(checked.auth, checked.token, String(res.locals['requestId'] ?? ''));
      next();
    };
  };
  // Without a tracing endpoint the middleware is not mounted at all: nothing is spent per request.
  const traced: RequestHandler[] = config.otelEndpoint ? [traceRequest] : [];
  const count = (req: IncomingMessage, body: unknown, transport: TransportLabel) =>
    countMcpMessages(metrics, req, body, transport);
  /** Runs a handler; what it throws is answered by `answerFailure` (503 for the store, else 500). */
  const answerThrown = async (res: ServerResponse, post: McpPost, handler: () => Promise<void>) => {
    try {
      await handler();
    } catch (error) {
      answerFailure(res, error, { requestId: post.requestId, id: requestIdOf(post.body), logger: deps.logger });
    }
  };
  /** An express route's handler, given what the route's middleware checked. */
  const guarded =
    (handler: (req: Request, res: Response, post: McpPost) => Promise<void>): RequestHandler =>
    (req, res) => {
      const post = postOf(req, res);
      return answerThrown(res, post, () => handler(req, res, post));
    };

  /** The session named by the request, when the caller may use it; otherwise answers 404 and returns undefined. */
  async function ownedSession(req: IncomingMessage, res: ServerResponse, post: McpPost) {
    const id = sessionIdOf(req)!;
    const found = await sessions.use(id);
    const sub = post.caller?.sub ?? null;
    // An anonymous session (anonymous discovery) becomes the first user's who uses it with a token.
    const record = found?.sub === null && sub !== null ? await sessions.bind(id, found, sub) : found;
    if (!record || record.sub !== sub) {
      if (record) metrics.authFailures.inc({ reason: 'session_owner_mismatch' });
      sessionNotFound(res, post.body);
      return undefined;
    }
    return id;
  }

  // Authentication comes before the method checks: every MCP route answers a request without a
  // token with the 401 challenge (that is how clients discover OAuth), whatever its method.
  const mcpMethods: RequestHandler = (req, res, next) => {
    if (req.method === 'POST' || req.method === 'DELETE') return next();
    if (req.method === 'GET' && sessionIdOf(req)) return next();
    if (req.method === 'GET') {
      return methodNotAllowed(
        res,
        'POST, DELETE',
        'Method not allowed: GET /mcp opens a server stream only within a session (send Mcp-Session-Id); send JSON-RPC requests with POST',
      );
    }
    methodNotAllowed(
      res,
      'GET, POST, DELETE',
      `Method not allowed: ${req.method} /mcp; use POST (GET and DELETE with a session)`,
    );
  };
  /** POST /mcp: a session's message, a 2026-07-28 request, `initialize` or a stateless 2025-era request. */
  const servePostMcp = async (req: IncomingMessage, res: ServerResponse, post: McpPost, readOnly = false) => {
    const { body } = post;
    // What the URL chose to be served (`/mcp/readonly`, `?toolsets=`) travels with the caller to the tools.
    const at = req.url?.indexOf('?') ?? -1;
    const raw = at === -1 ? undefined : new URLSearchParams(req.url?.slice(at + 1)).getAll('toolsets');
    const chosen = parseToolsetsParameter(raw && raw.length > 1 ? raw : raw?.[0], deps.toolsets);
    if ('problem' in chosen) {
      return sendJsonRpcError(res, 400, JsonRpcCode.InvalidRequest, `Bad Request: ${chosen.problem}`, {
        id: requestIdOf(body),
      });
    }
    const view =
      readOnly || chosen.toolsets ? { readOnly, ...(chosen.toolsets ? { toolsets: chosen.toolsets } : {}) } : undefined;
    const caller = view && post.caller ? { ...post.caller, view } : post.caller;
    if (!(await admitBatch(req, res, body, caller, userLimit))) return;
    if (sessionIdOf(req)) {
      const id = await ownedSession(req, res, post);
      if (!id) return;
      count(req, body, 'streamable');
      return streamable.post(req, res, body, caller, id);
    }
    // Classified from the parsed body and headers: the web Request is built only for the handler that reads it.
    if (!is2025Era(req, body)) {
      count(req, body, 'modern');
      // A plain request (tools, discovery) on the bridge's own transport; the rest as the SDK answers it.
      const plain = plainModernRequest(req, body);
      if (plain) return streamable.modern(req, res, plain, caller);
      // A listen stream stays open as long as the client likes: it counts against the stream limits.
      const listens = singleMethod(body) === 'subscriptions/listen';
      if (listens && !slots.hold(res, caller?.sub ?? null, requestIdOf(body))) return;
      const authInfo = caller ? toAuthInfo(caller) : undefined;
      // A 2026-07-28 client cancels a request by closing its response: the request's signal tells the SDK.
      const webRequest = cancellableWebRequestOf(req, res, config.publicUrl);
      return writeWebResponse(res, await modern.fetch(webRequest, { authInfo, parsedBody: body }));
    }
    if (isInitializeMessage(body)) {
      const owner = sessionOwner(caller, guards.clientIp(req) ?? 'unknown');
      const refusal = sessions.admit(owner);
      if (refusal) {
        const limit = refusal === 'total' ? config.maxSessionsTotal : config.maxSessionsPerUser;
        const who = refusal === 'total' ? 'this server holds its maximum of' : 'you already have the maximum of';
        return sendJsonRpcError(
          res,
          503,
          JsonRpcCode.ServerError,
          `Too many sessions: ${who} ${limit} sessions; end one with DELETE /mcp or wait ${config.sessionIdleSeconds} s for idle ones to expire`,
          { id: requestIdOf(body), headers: { 'Retry-After': '30' } },
        );
      }
      count(req, body, 'streamable');
      return streamable.initialize(req, res, body, caller, newSessionId(), owner);
    }
    count(req, body, 'stateless');
    return streamable.stateless(req, res, body, caller);
  };
  const getMcp = guarded(async (req, res, post) => {
    const id = await ownedSession(req, res, post);
    if (id) await streamable.stream(req, res, id, post.caller?.sub ?? null);
  });
  const deleteMcp = guarded(async (req, res, post) => {
    if (!sessionIdOf(req)) {
      return sendJsonRpcError(
        res,
        400,
        JsonRpcCode.ServerError,
        'Bad Request: DELETE /mcp ends a session; send its Mcp-Session-Id header',
      );
    }
    const id = await ownedSession(req, res, post);
    if (id) await streamable.terminate(res, id);
  });
  // mcpMethods lets only POST, DELETE and GET with a session through.
  const postMcp = guarded(servePostMcp);
  const byMcpMethod: RequestHandler = (req, res, next) =>
    (req.method === 'POST' ? postMcp : req.method === 'GET' ? getMcp : deleteMcp)(req, res, next);
  const mcpRoute: Handler[] = [
    ...guards.parseBody,
    ...traced,
    authenticated('mcp'),
    mcpMethods,
    requireJsonRpc,
    byMcpMethod,
  ];
  // `/mcp/readonly`: the same transports with read tools only, behind its own protected-resource metadata.
  const postReadOnly = guarded((req, res, post) => servePostMcp(req, res, post, true));
  const byReadOnlyMethod: RequestHandler = (req, res, next) =>
    (req.method === 'POST' ? postReadOnly : req.method === 'GET' ? getMcp : deleteMcp)(req, res, next);
  const readOnlyRoute: Handler[] = [
    ...guards.parseBody,
    ...traced,
    authenticated('mcp/readonly'),
    mcpMethods,
    requireJsonRpc,
    byReadOnlyMethod,
  ];

  const sseDisabled: RequestHandler = (_req, res, next) => {
    if (config.legacySse) return next();
    sendJsonRpcError(
      res,
      404,
      JsonRpcCode.ServerError,
      `The legacy HTTP+SSE transport is disabled on this server; connect with Streamable HTTP at ${config.publicUrl}/mcp`,
    );
  };
  const sseMethods: RequestHandler = (req, res, next) => {
    if (req.method === 'GET') return next();
    methodNotAllowed(
      res,
      'GET',
      `Method not allowed: ${req.method} /sse; open the stream with GET /sse and POST messages to the endpoint it announces`,
    );
  };
  const openSse = guarded(async (_req, res, { caller, requestId }) => {
    deps.logger.info({ reqId: requestId, sub: caller?.sub }, 'legacy SSE stream opened');
    await legacySse.open(res, caller);
  });
  const sseRoute: Handler[] = [sseDisabled, ...traced, authenticated('sse'), sseMethods, openSse];

  const messagesMethods: RequestHandler = (req, res, next) => {
    if (req.method === 'POST') return next();
    methodNotAllowed(
      res,
      'POST',
      `Method not allowed: ${req.method} /messages; POST a JSON-RPC message (with ?sessionId=… from the /sse endpoint event, or without it for a one-off request)`,
    );
  };
  const sseSessionsOnly: RequestHandler = (req, res, next) =>
    req.query['sessionId'] === undefined ? next() : sseDisabled(req, res, next);
  /** POST /messages: with `?sessionId=…` a message on a legacy SSE stream, without it a one-off request. */
  const servePostMessages = async (req: IncomingMessage, res: ServerResponse, post: McpPost, sessionId: unknown) => {
    const { body, caller } = post;
    if (sessionId === undefined) {
      if (!(await admitBatch(req, res, body, caller, userLimit))) return;
      count(req, body, 'messages');
      return streamable.stateless(req, res, body, caller);
    }
    if (typeof sessionId !== 'string') {
      return sendJsonRpcError(
        res,
        400,
        JsonRpcCode.InvalidRequest,
        'Bad Request: send exactly one sessionId query parameter',
        { id: requestIdOf(body) },
      );
    }
    count(req, body, 'sse');
    await legacySse.post(res, sessionId, body, caller);
  };
  const postMessages = guarded((req, res, post) => servePostMessages(req, res, post, req.query['sessionId']));
  const messagesRoute: Handler[] = [
    sseSessionsOnly,
    ...guards.parseBody,
    ...traced,
    authenticated('sse'),
    messagesMethods,
    requireJsonRpc,
    postMessages,
  ];

  const routes: Record<McpPath, Handler[]> = {
    '/mcp': mcpRoute,
    '/mcp/readonly': readOnlyRoute,
    '/sse': sseRoute,
    '/messages': messagesRoute,
  };
  const router = Router();
  for (const [path, route] of Object.entries(routes)) router.all(path, ...route);

  const gate = { checkToken: guards.checkToken, refuse: guards.refuse, admit: guards.admit, clientIp: guards.clientIp };
  const sseOpen = createSseOpenHandler({
    legacySse,
    config,
    logger: deps.logger,
    metrics,
    ...gate,
    rateLimit: guards.rateLimitCheck,
  });
  const postHandler = createPostHandler({
    config,
    logger: deps.logger,
    metrics,
    ...gate,
    allowAnonymous,
    serve: (path, req, res, post, sessionId) =>
      answerThrown(res, post, () =>
        path === '/messages'
          ? servePostMessages(req, res, post, sessionId)
          : servePostMcp(req, res, post, path === '/mcp/readonly'),
      ),
    refuseNonJsonRpc,
  });

  return {
    router,
    nodeHandler: (req) => (req.method === 'POST' ? postHandler : isPlainSseOpen(req) ? sseOpen : undefined),
    sseStreamCount: () => slots.count,
    sessionCount: () => sessions.activeCount,
    closeStreams: async () => {
      await Promise.all([legacySse.closeAll(), streamable.closeAll()]);
    },
    close: () => modern.close(),
  };
}
