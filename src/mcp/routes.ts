import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { SpanStatusCode } from '@opentelemetry/api';
import { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from 'express';
import { chain } from '../http/chain.js';
import { type VerifiedToken, extractBearerToken } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { withSpan } from '../telemetry/tracing.js';
import { type Caller, type McpPost, callerOf, toAuthInfo } from './caller.js';
import { isLegacyEra, plainModernRequest } from './era.js';
import { answerFailure } from './failure.js';
import { JsonRpcCode, requestIdOf, sendJsonRpcError } from './jsonrpc.js';
import { LegacySse } from './legacy-sse.js';
import { isInitializeMessage, isJsonRpcBody } from './message-shape.js';
import { createPostLane } from './post-lane.js';
import { type SseOpenDeps, createSseOpenHandler, isPlainSseOpen } from './sse-open.js';
import { type TransportLabel, countMcpMessages, singleMethod } from './observe.js';
import type { BuildServer } from './server-factory.js';
import { SessionRegistry, newSessionId } from './sessions.js';
import { StreamableHttp, sessionNotFound } from './streamable.js';
import { cancellableWebRequestOf } from './web-request.js';
import { writeWebResponse } from './web-response.js';

/** Middleware the MCP routes are mounted behind, supplied by the HTTP app. */
export interface McpRouteGuards {
  /** Parses the JSON body (413/415/-32700 on bad input); runs before auth so anonymous discovery can read the method. */
  parseBody: Array<RequestHandler | ErrorRequestHandler>;
  /** The bearer gate for a route family, from the auth module (`requireToken`). */
  requireToken(route: 'mcp' | 'sse', options: { allowAnonymous?: (req: Request) => boolean }): RequestHandler;
  /** Counted after authentication (per user) and before it (per IP, requests without a token). */
  rateLimit?: RequestHandler;
  /** For `GET /sse` served outside express: the auth module's `verify` and the rate limiter's `check`. */
  verify: SseOpenDeps['verify'];
  rateLimitCheck: SseOpenDeps['rateLimit'];
  /** The client's address as express gives it (`req.ip`), for the access log of streams served outside express. */
  clientIp: SseOpenDeps['clientIp'];
}

export interface McpRoutesDeps {
  build: BuildServer;
  config: Readonly<Config>;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  guards: McpRouteGuards;
}

/** The MCP transports mounted on an express router, and what shutdown and health need of them. */
export interface McpRoutes {
  router: Router;
  /**
   * The same routes by exact path, for the HTTP app to run without express's router: each is the route's
   * whole middleware chain as one handler, expecting express's request and response.
   */
  routes: Readonly<Record<McpPath, RequestHandler>>;
  /**
   * The handler that may serve `req` on node:http before express (a plain `GET /sse`, see sse-open.ts;
   * a POST to `/mcp` or `/messages`, see post-lane.ts), or undefined when express serves it. The handler
   * resolves false when it left the request to express.
   */
  outsideExpress(req: IncomingMessage): OutsideExpressHandler | undefined;
  /** Open legacy SSE streams on this instance. */
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

/** Serves a request outside express and resolves true, or resolves false having left it to express. */
export type OutsideExpressHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** The paths the MCP transports answer on. */
export type McpPath = '/mcp' | '/sse' | '/messages';

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
          const sub = (res.locals['auth'] as VerifiedToken | undefined)?.sub;
          if (sub !== undefined) span.setAttribute('enduser.id', sub);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          resolve();
        });
        next();
      }),
    { kind: 'server', parentHeaders: req.headers },
  );
};

/** The caller the bearer gate let through (undefined when anonymous), from express's `res.locals`. */
function gateCaller(req: Request, res: Response): Caller | undefined {
  const auth = res.locals['auth'] as VerifiedToken | undefined;
  // The gate verified the token of this very header, so reading it again cannot fail.
  return auth ? callerOf(auth, extractBearerToken(req), String(res.locals['requestId'] ?? '')) : undefined;
}

/** An express POST that went through the route's middleware, as the POST handlers take it. */
function postOf(req: Request, res: Response): McpPost {
  return { body: req.body, caller: gateCaller(req, res), requestId: String(res.locals['requestId'] ?? '') };
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
  const streamable = new StreamableHttp({
    build: deps.build,
    sessions,
    events: store.events,
    bus: store.bus,
    config,
    logger: deps.logger,
  });
  const legacySse = new LegacySse({ build: deps.build, store, config, metrics, logger: deps.logger });
  const modern = createMcpHandler(deps.build, {
    legacy: 'reject',
    keepAliveMs: config.keepAliveMs,
    maxRequestBodySize: config.maxBodyBytes,
    onerror: (error) => deps.logger.debug({ err: error.message }, '2026-07-28 request rejected'),
  });

  const allowAnonymous = config.allowAnonymousDiscovery
    ? (req: Request) => {
        const method = singleMethod(req.body);
        return req.method === 'POST' && method !== undefined && ANONYMOUS_METHODS.has(method);
      }
    : undefined;
  const authenticated = (route: 'mcp' | 'sse'): RequestHandler[] => {
    const gate = guards.requireToken(route, { allowAnonymous });
    return guards.rateLimit ? [guards.rateLimit, gate, guards.rateLimit] : [gate];
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
    const record = await sessions.use(id);
    if (!record || (record.sub !== null && record.sub !== post.caller?.sub)) {
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
  const servePostMcp = async (req: IncomingMessage, res: ServerResponse, post: McpPost) => {
    const { body, caller } = post;
    if (sessionIdOf(req)) {
      const id = await ownedSession(req, res, post);
      if (!id) return;
      count(req, body, 'streamable');
      return streamable.post(req, res, body, caller, id);
    }
    // Classified from the parsed body and headers: the web Request is built only for the handler that reads it.
    if (!isLegacyEra(req, body)) {
      count(req, body, 'modern');
      // A plain request (tools, discovery) on the bridge's own transport; the rest as the SDK answers it.
      const plain = plainModernRequest(req, body);
      if (plain) return streamable.modern(req, res, plain, caller);
      const authInfo = caller ? toAuthInfo(caller) : undefined;
      // A 2026-07-28 client cancels a request by closing its response: the request's signal tells the SDK.
      const webRequest = cancellableWebRequestOf(req, res);
      return writeWebResponse(res, await modern.fetch(webRequest, { authInfo, parsedBody: body }));
    }
    if (isInitializeMessage(body)) {
      const refusal = sessions.admit(caller?.sub ?? null);
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
      return streamable.initialize(req, res, body, caller, newSessionId());
    }
    count(req, body, 'stateless');
    return streamable.stateless(req, res, body, caller);
  };
  const getMcp = guarded(async (req, res, post) => {
    const id = await ownedSession(req, res, post);
    if (id) await streamable.stream(req, res, id);
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
  const mcpRoute = chain([
    ...guards.parseBody,
    ...traced,
    ...authenticated('mcp'),
    mcpMethods,
    requireJsonRpc,
    byMcpMethod,
  ]);

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
  const sseRoute = chain([sseDisabled, ...traced, ...authenticated('sse'), sseMethods, openSse]);

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
  const messagesRoute = chain([
    sseSessionsOnly,
    ...guards.parseBody,
    ...traced,
    ...authenticated('sse'),
    messagesMethods,
    requireJsonRpc,
    postMessages,
  ]);

  const routes = { '/mcp': mcpRoute, '/sse': sseRoute, '/messages': messagesRoute } as const;
  const router = Router();
  for (const [path, route] of Object.entries(routes)) router.all(path, route);

  const outside = { verify: guards.verify, rateLimit: guards.rateLimitCheck, clientIp: guards.clientIp };
  const sseOpen = createSseOpenHandler({ legacySse, config, logger: deps.logger, metrics, ...outside });
  const postLane = createPostLane({
    config,
    logger: deps.logger,
    metrics,
    ...outside,
    serve: (path, req, res, post, sessionId) =>
      answerThrown(res, post, () =>
        path === '/mcp' ? servePostMcp(req, res, post) : servePostMessages(req, res, post, sessionId),
      ),
    refuseNonJsonRpc,
  });

  return {
    router,
    routes,
    outsideExpress: (req) => (req.method === 'POST' ? postLane : isPlainSseOpen(req) ? sseOpen : undefined),
    sseStreamCount: () => legacySse.activeCount,
    sessionCount: () => sessions.activeCount,
    closeStreams: async () => {
      await Promise.all([legacySse.closeAll(), streamable.closeAll()]);
    },
    close: () => modern.close(),
  };
}
