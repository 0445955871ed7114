/**
 * The front middleware of the express routes (everything but the MCP routes, which the front door serves):
 * the same request id, access log, Host check and CORS the front door gives MCP requests, from the same
 * functions in `mcp/inbound`.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/index.js';
import { answerPreflight, originHeaders } from '../mcp/inbound/cors.js';
import { hostAllowed, refuseForeignHost } from '../mcp/inbound/host-guard.js';
import { type AccessLogDeps, acceptedRequestId, closedStatus, writeAccessLog } from '../mcp/inbound/request-context.js';

/** Paths answered by middleware before routing (CORS preflight, host guard): labelled as themselves. */
const KNOWN_PATHS = new Set(['/', '/healthz', '/readyz', '/metrics']);

/** The route template of an answered request: never the raw path, so metric labels stay bounded. */
function routeLabel(req: Request): string {
  const template = req.route?.path;
  if (typeof template === 'string') return `${req.baseUrl}${template}`;
  if (req.path.startsWith('/.well-known/')) return '/.well-known/*';
  return KNOWN_PATHS.has(req.path) ? req.path : 'unmatched';
}

/** What the access log needs of a request, kept on `res.locals` so one listener serves every request. */
interface AccessLogState {
  requestId: string;
  /** `performance.now()` when the request arrived. */
  started: number;
}

/**
 * Gives every request one correlation id (X-Request-Id in and out, `res.locals.requestId`) and writes one
 * access-log line per request. The `close` listener is one function for all requests (`this` is the response).
 */
export function requestContext(deps: AccessLogDeps): RequestHandler {
  function logAnswered(this: Response): void {
    const req = this.req;
    const { requestId, started } = this.locals['log'] as AccessLogState;
    writeAccessLog(deps, {
      requestId,
      method: req.method,
      route: routeLabel(req),
      ip: req.ip,
      status: closedStatus(this),
      started,
      sub: undefined,
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

/** DNS-rebinding protection (`hostAllowed`): a foreign Host gets 403 when the bridge listens on loopback. */
export function hostGuard(config: Pick<Config, 'host' | 'publicUrl'>): RequestHandler {
  const allowed = hostAllowed(config);
  return (req, res, next) =>
    allowed(req.headers.host) ? next() : refuseForeignHost(res, req.headers.host, config.publicUrl);
}

/** CORS on every express route: the origin echoed (`originHeaders`), preflights answered (`answerPreflight`). */
export function corsMiddleware(): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    for (const [name, value] of Object.entries(originHeaders(req.headers.origin))) res.setHeader(name, value);
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    next();
  };
}
