import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

/** A client-sent X-Request-Id is kept only when it is short and plain (it ends up in logs and upstream headers). */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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

function mcpDetails(req: Request): { mcpMethod?: string; mcpId?: unknown; tool?: string } {
  const body = req.body as { method?: unknown; id?: unknown; params?: { name?: unknown } } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.method !== 'string') return {};
  const tool = body.method === 'tools/call' && typeof body.params?.name === 'string' ? body.params.name : undefined;
  return { mcpMethod: body.method, mcpId: body.id, tool };
}

/**
 * Gives every request one correlation id (X-Request-Id in and out, `res.locals.requestId`, passed on
 * to NeonPanel by the tools) and writes one access-log line per request joining it with the MCP
 * method, request id and tool, and the user's `sub`. Never logs headers, bodies or tokens.
 */
export function requestContext(deps: { logger: Logger; metrics: Pick<Metrics, 'httpRequests'> }): RequestHandler {
  return (req: Request, res: Response, next) => {
    const started = process.hrtime.bigint();
    const sent = req.headers['x-request-id'];
    const requestId = typeof sent === 'string' && ACCEPTABLE_REQUEST_ID.test(sent) ? sent : randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('close', () => {
      const route = routeLabel(req);
      deps.metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      const auth = res.locals['auth'] as { sub?: string } | undefined;
      deps.logger.info(
        {
          reqId: requestId,
          method: req.method,
          route,
          ip: req.ip,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          sub: auth?.sub,
          ...mcpDetails(req),
        },
        'request',
      );
    });
    next();
  };
}
