import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { methodOf } from '../observe.js';
import { type Logger, unredacted } from '../../telemetry/logger.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { originHeaders } from './cors.js';

/** A client-sent X-Request-Id is kept only when it is short and plain (it ends up in logs and upstream headers). */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's correlation id: the client's X-Request-Id when short and plain, else a new UUID. */
export function acceptedRequestId(headers: IncomingHttpHeaders): string {
  const sent = headers['x-request-id'];
  return typeof sent === 'string' && ACCEPTABLE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * What express's front middleware (this module's and CORS) put on every answer, as a flat name, value
 * list, for the handlers that serve a request before express: the request id, `Vary`, the origin's CORS headers.
 */
export function frontHeaderList(requestId: string, origin: string | undefined): string[] {
  return ['X-Request-Id', requestId, 'Vary', 'Origin', ...Object.entries(originHeaders(origin)).flat()];
}

/** Sets a flat name, value list of headers on a response, for answers written with `writeHead` later. */
export function setHeaderList(res: ServerResponse, list: readonly string[]): void {
  for (let i = 0; i < list.length; i += 2) res.setHeader(list[i]!, list[i + 1]!);
}

/** Paths answered by middleware before routing (CORS preflight, host guard): labelled as themselves. */
const KNOWN_PATHS = new Set(['/', '/mcp', '/sse', '/messages', '/healthz', '/readyz', '/metrics']);

/** The route template of an answered request: never the raw path, so metric labels stay bounded. */
export function routeLabel(req: Request): string {
  const template = req.route?.path;
  if (typeof template === 'string') return `${req.baseUrl}${template}`;
  if (KNOWN_PATHS.has(req.path) || req.path.startsWith('/.well-known/')) {
    return req.path.startsWith('/.well-known/') ? '/.well-known/*' : req.path;
  }
  return 'unmatched';
}

/** Longest id or tool name the access log writes: real ones are far shorter, and the client chooses them. */
const MAX_LOGGED_CHARS = 100;

function bounded(text: string): string {
  return text.length > MAX_LOGGED_CHARS ? `${text.slice(0, MAX_LOGGED_CHARS)}...` : text;
}

/**
 * The access log's MCP fields of a parsed body: its method, JSON-RPC id and tool (single messages only).
 * Every field is the client's text, logged on refusals too: the method is a known name or `other`, the id
 * and tool name are cut, so a line stays short whatever the body holds.
 */
export function mcpDetails(parsed: unknown): { mcpMethod?: string; mcpId?: string | number; tool?: string } {
  const body = parsed as { method?: unknown; id?: unknown; params?: { name?: unknown } } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.method !== 'string') return {};
  const name = body.params?.name;
  const tool = body.method === 'tools/call' && typeof name === 'string' ? bounded(name) : undefined;
  // Only ids JSON-RPC allows: the access log is written without redaction, so no field may hold an object.
  const mcpId = typeof body.id === 'string' ? bounded(body.id) : typeof body.id === 'number' ? body.id : undefined;
  return { mcpMethod: methodOf(body), mcpId, tool };
}

/** What the access log needs of a request, kept on `res.locals` so one listener serves every request. */
interface AccessLogState {
  requestId: string;
  /** `performance.now()` when the request arrived. */
  started: number;
}

/** One access-log line, with the request metric it goes with. */
export interface AccessLogEntry {
  requestId: string;
  method: string;
  /** A route label (`routeLabel`), never the raw path. */
  route: string;
  ip: string | undefined;
  status: number;
  /** `performance.now()` when the request arrived. */
  started: number;
  sub: string | undefined;
  mcpMethod?: string;
  mcpId?: string | number;
  tool?: string;
}

export interface AccessLogDeps {
  logger: Logger;
  metrics: Pick<Metrics, 'httpRequests'>;
}

/** What the access log calls a request whose client left before any answer was sent (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * The status to log for a response that has closed: the one sent, or 499 when the client went away before
 * the answer began (node's `statusCode` would still say 200 there, for an answer nobody received).
 */
export function closedStatus(res: ServerResponse): number {
  return res.headersSent ? res.statusCode : CLIENT_CLOSED_REQUEST;
}

/**
 * Counts an answered request and writes its access-log line: the one place both are made, for express
 * routes and for requests served outside express. Never logs headers, bodies or tokens; every field is
 * a scalar under a fixed name, which is why the line skips redaction.
 */
export function writeAccessLog(deps: AccessLogDeps, entry: AccessLogEntry): void {
  deps.metrics.httpRequests.inc({ route: entry.route, method: entry.method, status: String(entry.status) });
  unredacted(deps.logger).info(
    {
      reqId: entry.requestId,
      method: entry.method,
      route: entry.route,
      ip: entry.ip,
      status: entry.status,
      ms: Math.round((performance.now() - entry.started) * 1000) / 1000,
      sub: entry.sub,
      mcpMethod: entry.mcpMethod,
      mcpId: entry.mcpId,
      tool: entry.tool,
    },
    'request',
  );
}

/**
 * Gives every request one correlation id (X-Request-Id in and out, `res.locals.requestId`, passed on
 * to NeonPanel by the tools) and writes one access-log line per request joining it with the MCP
 * method, request id and tool, and the user's `sub`.
 * The `close` listener is one function for all requests (`this` is the response): an open SSE stream
 * holds no closure of its own for its log line.
 */
export function requestContext(deps: AccessLogDeps): RequestHandler {
  function logAnswered(this: Response): void {
    const req = this.req;
    const { requestId, started } = this.locals['log'] as AccessLogState;
    // Set by the MCP routes' gate once the token verified (see mcp/routes.ts).
    const auth = this.locals['caller'] as { sub?: string } | undefined;
    writeAccessLog(deps, {
      requestId,
      method: req.method,
      route: routeLabel(req),
      ip: req.ip,
      status: closedStatus(this),
      started,
      sub: auth?.sub,
      ...mcpDetails(req.body),
    });
  }

  return (req: Request, res: Response, next) => {
    const requestId = acceptedRequestId(req.headers);
    res.locals['requestId'] = requestId;
    res.locals['log'] = { requestId, started: performance.now() } satisfies AccessLogState;
    res.setHeader('X-Request-Id', requestId);
    res.once('close', logAnswered);
    next();
  };
}
