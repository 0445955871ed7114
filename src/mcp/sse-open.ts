/**
 * `GET /sse` served straight on node:http, in front of express, when the request passes every gate.
 *
 * Why: an open legacy SSE stream keeps its request and response objects for as long as it is open,
 * and express gives each request and response a hidden class of its own (it re-parents them with
 * `Object.setPrototypeOf`), plus router state, `res.locals` and headers set one by one. That is about
 * 5 KB of heap per idle stream, a third of what the stream costs. Here the stream keeps node's plain
 * objects and one header list.
 *
 * Only the plain success path is taken: anything else (no or bad token, foreign Host, a query
 * string, tracing on) is left to express, which answers it exactly as for any other route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type VerifiedToken, extractBearerToken, verifyOnce } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { hostAllowed } from '../http/host-guard.js';
import { type RateLimitDecision, applyRateLimit, rateLimitHeaderList } from '../http/rate-limit.js';
import { acceptedRequestId, frontHeaderList, setHeaderList, writeAccessLog } from '../http/request-context.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { answerFailure } from './failure.js';
import type { LegacySse } from './legacy-sse.js';

export interface SseOpenDeps {
  legacySse: Pick<LegacySse, 'open'>;
  config: Pick<Config, 'legacySse' | 'host' | 'publicUrl' | 'otelEndpoint'>;
  /** The auth module's `verify`. */
  verify: (token: string) => Promise<VerifiedToken>;
  /** The rate limiter's `check` (counted per user, as the express route does after the gate). */
  rateLimit: (kind: 'user', id: string) => Promise<RateLimitDecision | undefined>;
  logger: Logger;
  metrics: Pick<Metrics, 'httpRequests'>;
  /** The client's address as the access log gives it for express routes (`req.ip`, honouring trust proxy). */
  clientIp: (req: IncomingMessage) => string | undefined;
}

/** Serves a request and resolves true, or resolves false without touching it: hand it to express then. */
export type SseOpenHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** Whether `req` is `GET /sse` with nothing else in its target: the only request the handler may take. */
export function isPlainSseOpen(req: IncomingMessage): boolean {
  return req.method === 'GET' && req.url === '/sse';
}

/** What the access log line needs when the stream closes. */
interface OpenStream {
  requestId: string;
  started: number;
  sub: string;
  status: number;
}

/**
 * Builds the `GET /sse` handler, or undefined when this deployment needs express for it: the legacy
 * transport is off (express answers 404) or tracing is on (the span middleware lives in express).
 * Mount it before the express app, for requests where `isPlainSseOpen` holds:
 * `(await handler(req, res)) || app(req, res)`.
 */
export function createSseOpenHandler(deps: SseOpenDeps): SseOpenHandler | undefined {
  const { config, logger } = deps;
  if (!config.legacySse || config.otelEndpoint) return undefined;
  const allowedHost = hostAllowed(config);

  async function verified(req: IncomingMessage): Promise<VerifiedToken | undefined> {
    try {
      return await verifyOnce(req, extractBearerToken(req), deps.verify);
    } catch {
      return undefined; // express's gate answers it (without checking the token again) and counts the failure
    }
  }

  return async (req, res) => {
    if (!allowedHost(req.headers.host)) return false;
    const started = performance.now();
    const auth = await verified(req);
    if (!auth) return false;
    const requestId = acceptedRequestId(req.headers);
    const headers = frontHeaderList(requestId, req.headers.origin);
    const stream: OpenStream = { requestId, started, sub: auth.sub, status: 200 };
    res.once('close', () =>
      writeAccessLog(deps, { ...stream, method: 'GET', route: '/sse', ip: deps.clientIp(res.req) }),
    );

    const decision = await deps.rateLimit('user', auth.sub);
    if (decision && !decision.allowed) {
      // A refusal is one short answer: its headers go on the response as express's would.
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
