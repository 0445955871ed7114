import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
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
 * The headers every answer of the bridge carries, as a flat name, value list: the request id, `Vary`, the
 * origin's CORS headers. The front door sets them on its answers; express's middleware on the others.
 */
export function commonHeaderList(requestId: string, origin: string | undefined): string[] {
  return ['X-Request-Id', requestId, 'Vary', 'Origin', ...Object.entries(originHeaders(origin)).flat()];
}

/** Sets a flat name, value list of headers on a response, for answers written with `writeHead` later. */
export function setHeaderList(res: ServerResponse, list: readonly string[]): void {
  for (let i = 0; i < list.length; i += 2) res.setHeader(list[i]!, list[i + 1]!);
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

/** One access-log line, with the request metric it goes with. */
export interface AccessLogEntry {
  requestId: string;
  method: string;
  /** A route label (the route's template, or the MCP path), never the raw path. */
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
 * routes and for the front door's. Never logs headers, bodies or tokens; every field is
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
