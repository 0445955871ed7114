/**
 * A plain `GET /sse` (the 2024-11-05 HTTP+SSE transport) served straight on node:http, in front of express.
 *
 * Why: an open legacy SSE stream keeps its request and response objects for as long as it is open,
 * and express gives each request and response a hidden class of its own (it re-parents them with
 * `Object.setPrototypeOf`), plus router state, `res.locals` and headers set one by one: a large part
 * of what an idle stream costs. Here the stream keeps node's plain objects and one header list.
 *
 * The token is checked here once, counted by the rate limiter and, when refused, answered here with the
 * gate's challenge. Anything else that is not plain (a foreign Host, a query string, tracing on) is left
 * to express, which answers it exactly as for any other route.
 */
import type { IncomingMessage } from 'node:http';
import type { Auth } from '../../auth/index.js';
import type { Config } from '../../config/index.js';
import { hostAllowed } from '../inbound/host-guard.js';
import { type RateLimiter, applyRateLimit, rateLimitHeaderList } from '../inbound/rate-limit.js';
import { acceptedRequestId, frontHeaderList, setHeaderList, writeAccessLog } from '../inbound/request-context.js';
import type { Logger } from '../../telemetry/logger.js';
import type { NodeHandler } from './index.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { answerFailure } from '../failure.js';
import type { LegacySse } from '../legacy-sse.js';

export interface SseOpenDeps {
  legacySse: Pick<LegacySse, 'open'>;
  config: Pick<Config, 'legacySse' | 'host' | 'publicUrl' | 'otelEndpoint'>;
  /** The bearer gate in two steps (the auth module's `checkToken` and `refuse`), as the express route runs it. */
  checkToken: Auth['checkToken'];
  refuse: Auth['refuse'];
  /** The rate limiter's `admit`, for a refused request (counted per client IP). */
  admit: RateLimiter['admit'];
  /** The rate limiter's `check` (per user): its headers join the stream's one header list. */
  rateLimit: RateLimiter['check'];
  logger: Logger;
  metrics: Pick<Metrics, 'httpRequests'>;
  /** The client's address as the access log gives it for express routes (`req.ip`, honouring trust proxy). */
  clientIp: (req: IncomingMessage) => string | undefined;
}

/** Whether `req` is `GET /sse` with nothing else in its target: the only request the handler may take. */
export function isPlainSseOpen(req: IncomingMessage): boolean {
  return req.method === 'GET' && req.url === '/sse';
}

/** What the access log line needs when the stream closes. */
interface OpenStream {
  requestId: string;
  started: number;
  sub: string | undefined;
  status: number;
}

/**
 * Builds the `GET /sse` handler, or undefined when this deployment needs express for it: the legacy
 * transport is off (express answers 404) or tracing is on (the span middleware lives in express).
 * `createFrontDoor` runs it before the express app, for requests where `isPlainSseOpen` holds.
 */
export function createSseOpenHandler(deps: SseOpenDeps): NodeHandler | undefined {
  const { config, logger } = deps;
  if (!config.legacySse || config.otelEndpoint) return undefined;
  const allowedHost = hostAllowed(config);

  return async (req, res) => {
    if (!allowedHost(req.headers.host)) return false;
    const started = performance.now();
    // No anonymous access to GET /sse: a check that did not refuse verified a token.
    const checked = await deps.checkToken(req);
    const requestId = acceptedRequestId(req.headers);
    const headers = frontHeaderList(requestId, req.headers.origin);
    const stream: OpenStream = { requestId, started, sub: checked.auth?.sub, status: 200 };
    res.once('close', () =>
      writeAccessLog(deps, { ...stream, method: 'GET', route: '/sse', ip: deps.clientIp(res.req) }),
    );
    if (!checked.ok) {
      // A refusal is one short answer: its headers go on the response as express's would.
      setHeaderList(res, headers);
      if (await deps.admit(req, res, checked)) deps.refuse(req, res, 'sse', checked);
      stream.status = res.statusCode;
      return true;
    }
    const auth = checked.auth!;

    const decision = await deps.rateLimit('user', auth.sub);
    if (decision && !decision.allowed) {
      setHeaderList(res, headers);
      applyRateLimit(res, decision);
      stream.status = 429;
      return true;
    }
    if (decision) headers.push(...rateLimitHeaderList(decision));
    logger.info({ reqId: requestId, sub: auth.sub }, 'legacy SSE stream opened');
    try {
      await deps.legacySse.open(res, { sub: auth.sub }, headers);
    } catch (error) {
      if (res.headersSent) {
        stream.status = 500;
        res.destroy();
        return true;
      }
      stream.status = answerFailure(res, error, { requestId, logger, headers: { 'X-Request-Id': requestId } });
      return true;
    }
    stream.status = res.statusCode;
    return true;
  };
}
