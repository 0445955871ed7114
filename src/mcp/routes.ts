/**
 * What each MCP path serves (`McpRoute`): `/mcp` and `/mcp/readonly` (Streamable HTTP sessions, stateless
 * 2025-era requests, the 2026-07-28 revision), `/sse` and `/messages` (the legacy HTTP+SSE transport, and
 * one-off requests). The front door (front-door/entrance.ts) runs the checks every request passes first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { ProtectedRoute } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { parseToolsetsParameter } from '../tools/index.js';
import { type McpPost, toAuthInfo } from './caller.js';
import { is2025Era, acceptedModernRequest } from './era.js';
import { JsonRpcCode, requestIdOf, sendJsonRpcError } from './jsonrpc.js';
import { LegacySse } from './legacy-sse.js';
import { isInitializeMessage } from './message-shape.js';
import { type TransportLabel, countMcpMessages, singleMethod } from './observe.js';
import type { BuildServer } from './server-factory.js';
import { SessionRegistry, newSessionId, sessionOwner } from './sessions.js';
import { StreamSlots } from './stream-slots.js';
import { admitBatch } from './batch.js';
import type { RateLimiter } from './inbound/rate-limit.js';
import { StreamableHttp, sessionNotFound } from './streamable.js';
import { cancellableWebRequestOf } from './web-request.js';
import { writeWebResponse } from './web-response.js';

/** What the MCP routes count batches and sessions with, supplied by the HTTP app. */
export interface McpRouteGuards {
  /** The rate limiter's `check`, for the messages of a batch beyond the first (see batch.ts). */
  rateLimitCheck: RateLimiter['check'];
  /** The client's address (`req.ip`'s rule, honouring trust proxy), the owner of an anonymous session. */
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

/** The paths the MCP transports answer on. */
export type McpPath = '/mcp' | '/mcp/readonly' | '/sse' | '/messages';

/** An answer that refuses a request, written when the front door decides to refuse it. */
export type Refusal = (res: ServerResponse) => void;

/** One MCP path as the front door serves it, once the request passed the checks every request passes. */
export interface McpRoute {
  /** The protected resource the path belongs to: its 401 challenge names that resource's metadata. */
  resource: ProtectedRoute;
  /** Whether a POST's body is read (and must be JSON-RPC) before the gate. */
  readsBody: boolean;
  /**
   * The path's GET holds its response open for as long as the client likes (`GET /sse`): its headers are
   * handed to `serve` to go out with the stream's head, not set on the response one by one.
   */
  holdsStream: boolean;
  /** The 404 of a path (or a use of it) switched off on this deployment; asked before the gate. */
  disabled(query: URLSearchParams): Refusal | undefined;
  /** The 405 of a method the path does not serve; asked after the gate. */
  methodNotServed(req: IncomingMessage): Refusal | undefined;
  /** Serves a request the gate let through; `headers` is set on the response already unless the stream holds them. */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    post: McpPost,
    query: URLSearchParams,
    headers: string[],
  ): Promise<void>;
}

/** The MCP transports on their paths, and what shutdown and health need of them. */
export interface McpRoutes {
  paths: Record<McpPath, McpRoute>;
  /** Whether a request without a token may go on (anonymous discovery, when the deployment allows it). */
  allowAnonymous?: (req: { method?: string; body?: unknown }) => boolean;
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

/** Methods a deployment with `allowAnonymousDiscovery` answers without a token. */
const ANONYMOUS_METHODS = new Set(['initialize', 'notifications/initialized', 'tools/list', 'server/discover', 'ping']);

function methodNotAllowed(allow: string, message: string): Refusal {
  return (res) => sendJsonRpcError(res, 405, JsonRpcCode.ServerError, message, { headers: { Allow: allow } });
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
  const count = (req: IncomingMessage, body: unknown, transport: TransportLabel) =>
    countMcpMessages(metrics, req, body, transport);

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

  // The front door runs the gate before these: every MCP path answers a request without a token with the
  // 401 challenge (that is how clients discover OAuth), whatever its method.
  const mcpMethodNotServed = (req: IncomingMessage): Refusal | undefined => {
    if (req.method === 'POST' || req.method === 'DELETE') return undefined;
    if (req.method === 'GET' && sessionIdOf(req)) return undefined;
    if (req.method === 'GET') {
      return methodNotAllowed(
        'POST, DELETE',
        'Method not allowed: GET /mcp opens a server stream only within a session (send Mcp-Session-Id); send JSON-RPC requests with POST',
      );
    }
    return methodNotAllowed(
      'GET, POST, DELETE',
      `Method not allowed: ${req.method} /mcp; use POST (GET and DELETE with a session)`,
    );
  };
  /** POST /mcp: a session's message, a 2026-07-28 request, `initialize` or a stateless 2025-era request. */
  const servePostMcp = async (
    req: IncomingMessage,
    res: ServerResponse,
    post: McpPost,
    query: URLSearchParams,
    readOnly: boolean,
  ) => {
    const { body } = post;
    // What the URL chose to be served (`/mcp/readonly`, `?toolsets=`) travels with the caller to the tools.
    const raw = query.getAll('toolsets');
    const chosen = parseToolsetsParameter(raw.length > 1 ? raw : raw[0], deps.toolsets);
    if ('problem' in chosen) {
      return sendJsonRpcError(res, 400, JsonRpcCode.InvalidRequest, `Bad Request: ${chosen.problem}`, {
        id: requestIdOf(body),
      });
    }
    const view =
      readOnly || chosen.toolsets ? { readOnly, ...(chosen.toolsets ? { toolsets: chosen.toolsets } : {}) } : undefined;
    const caller = view && post.caller ? { ...post.caller, view } : post.caller;
    if (!(await admitBatch(req, res, body, caller, guards.rateLimitCheck))) return;
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
      const plain = acceptedModernRequest(req, body);
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
  const getMcp = async (req: IncomingMessage, res: ServerResponse, post: McpPost) => {
    const id = await ownedSession(req, res, post);
    if (id) await streamable.stream(req, res, id, post.caller?.sub ?? null);
  };
  const deleteMcp = async (req: IncomingMessage, res: ServerResponse, post: McpPost) => {
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
  };
  /** `/mcp`, or `/mcp/readonly`: the same transports with read tools only, behind its own protected-resource metadata. */
  const mcpRoute = (readOnly: boolean): McpRoute => ({
    resource: readOnly ? 'mcp/readonly' : 'mcp',
    readsBody: true,
    holdsStream: false,
    disabled: () => undefined,
    methodNotServed: mcpMethodNotServed,
    // mcpMethodNotServed lets only POST, DELETE and GET with a session through.
    serve: (req, res, post, query) =>
      req.method === 'POST'
        ? servePostMcp(req, res, post, query, readOnly)
        : req.method === 'GET'
          ? getMcp(req, res, post)
          : deleteMcp(req, res, post),
  });

  const sseDisabled: Refusal = (res) =>
    sendJsonRpcError(
      res,
      404,
      JsonRpcCode.ServerError,
      `The legacy HTTP+SSE transport is disabled on this server; connect with Streamable HTTP at ${config.publicUrl}/mcp`,
    );
  const sseRoute: McpRoute = {
    resource: 'sse',
    readsBody: false,
    holdsStream: true,
    disabled: () => (config.legacySse ? undefined : sseDisabled),
    methodNotServed: (req) =>
      req.method === 'GET'
        ? undefined
        : methodNotAllowed(
            'GET',
            `Method not allowed: ${req.method} /sse; open the stream with GET /sse and POST messages to the endpoint it announces`,
          ),
    serve: async (_req, res, { caller, requestId }, _query, headers) => {
      deps.logger.info({ reqId: requestId, sub: caller?.sub }, 'legacy SSE stream opened');
      await legacySse.open(res, caller, headers);
    },
  };

  /** POST /messages: with `?sessionId=…` a message on a legacy SSE stream, without it a one-off request. */
  const servePostMessages = async (
    req: IncomingMessage,
    res: ServerResponse,
    post: McpPost,
    query: URLSearchParams,
  ) => {
    const { body, caller } = post;
    const sessionIds = query.getAll('sessionId');
    if (sessionIds.length === 0) {
      if (!(await admitBatch(req, res, body, caller, guards.rateLimitCheck))) return;
      count(req, body, 'messages');
      return streamable.stateless(req, res, body, caller);
    }
    if (sessionIds.length > 1) {
      return sendJsonRpcError(
        res,
        400,
        JsonRpcCode.InvalidRequest,
        'Bad Request: send exactly one sessionId query parameter',
        { id: requestIdOf(body) },
      );
    }
    count(req, body, 'sse');
    await legacySse.post(res, sessionIds[0]!, body, caller);
  };
  const messagesRoute: McpRoute = {
    resource: 'sse',
    readsBody: true,
    holdsStream: false,
    // Without a session `/messages` is a one-off request, served whether the legacy transport is on or not.
    disabled: (query) => (query.has('sessionId') && !config.legacySse ? sseDisabled : undefined),
    methodNotServed: (req) =>
      req.method === 'POST'
        ? undefined
        : methodNotAllowed(
            'POST',
            `Method not allowed: ${req.method} /messages; POST a JSON-RPC message (with ?sessionId=… from the /sse endpoint event, or without it for a one-off request)`,
          ),
    serve: (req, res, post, query) => servePostMessages(req, res, post, query),
  };

  return {
    paths: { '/mcp': mcpRoute(false), '/mcp/readonly': mcpRoute(true), '/sse': sseRoute, '/messages': messagesRoute },
    allowAnonymous,
    sseStreamCount: () => slots.count,
    sessionCount: () => sessions.activeCount,
    closeStreams: async () => {
      await Promise.all([legacySse.closeAll(), streamable.closeAll()]);
    },
    close: () => modern.close(),
  };
}
