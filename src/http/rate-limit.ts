import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../config/index.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Store } from '../state/types.js';
import { setHeaderList } from './request-context.js';

/** Which limit a request counts against: its user (`sub`) when authenticated, else its client IP. */
export type RateLimitKind = 'user' | 'ip';

/** The outcome of counting one request. */
export interface RateLimitDecision {
  kind: RateLimitKind;
  allowed: boolean;
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in this window after this one. */
  remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSeconds: number;
}

export interface RateLimiterDeps {
  config: Pick<Config, 'rateLimitPerUser' | 'rateLimitPerIp'>;
  store: Store;
  metrics: Pick<Metrics, 'rateLimited' | 'rateLimitUnchecked'>;
}

export interface RateLimiter {
  /**
   * Counts one request of `id` against the `kind` limit. Undefined when that limit is off (0) or when
   * the store could not count it: the limiter fails open, so a Redis outage never refuses service.
   */
  check(kind: RateLimitKind, id: string): Promise<RateLimitDecision | undefined>;
  /**
   * Express middleware. After the auth middleware (`res.locals.auth.sub` set) it counts per user;
   * before it, it counts requests that carry no `Authorization` header per client IP (`req.ip`, so set
   * express's `trust proxy` behind a load balancer) and leaves the others to the per-user check.
   * Refused requests get 429 with `Retry-After`, `RateLimit-*` headers and a JSON body.
   */
  middleware: RequestHandler;
  /**
   * For use inside MCP (tools/call): counts one request of `sub` and returns the tool error to answer
   * with when over the limit, undefined when the call may go ahead. Count each request once: use this
   * or the middleware on a route, not both.
   */
  toolCallLimit(sub: string): Promise<CallToolResult | undefined>;
}

/** Fixed one-minute windows: the configured limits are per minute. */
const WINDOW_MS = 60_000;

function describe(decision: RateLimitDecision): string {
  const who = decision.kind === 'user' ? 'this user' : 'this client address';
  return `Rate limit reached for ${who}: ${decision.limit} requests per minute. Retry in ${decision.resetSeconds} s.`;
}

/**
 * IETF draft `RateLimit` header fields (draft-ietf-httpapi-ratelimit-headers), sent on every counted
 * response, as a flat name, value list (for `writeHead` outside express).
 */
export function rateLimitHeaderList(decision: RateLimitDecision): string[] {
  return [
    'RateLimit-Limit',
    String(decision.limit),
    'RateLimit-Remaining',
    String(decision.remaining),
    'RateLimit-Reset',
    String(decision.resetSeconds),
    'RateLimit-Policy',
    `${decision.limit};w=${WINDOW_MS / 1000}`,
  ];
}

/**
 * Sets the `RateLimit-*` headers of a counted request and, when it is over the limit, answers it: 429 with
 * `Retry-After` and a JSON body. Returns whether the request may go on. For express routes and for the
 * MCP POST lane outside express alike.
 */
export function applyRateLimit(res: ServerResponse, decision: RateLimitDecision): boolean {
  setHeaderList(res, rateLimitHeaderList(decision));
  if (decision.allowed) return true;
  const body = JSON.stringify(rateLimitedBody(decision));
  res
    .writeHead(429, {
      'Retry-After': String(decision.resetSeconds),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
    })
    .end(body);
  return false;
}

/** The JSON body of a 429 answer. */
function rateLimitedBody(decision: RateLimitDecision) {
  return { error: 'rate_limited', error_description: describe(decision), retry_after_seconds: decision.resetSeconds };
}

/** The tool result that tells a model it was rate limited and when it may try again. */
export function rateLimitedToolResult(decision: RateLimitDecision): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: describe(decision) }],
    structuredContent: { error: 'rate_limited', retry_after_seconds: decision.resetSeconds, limit: decision.limit },
  };
}

/** Inbound rate limits, counted in `store.counters` so every instance sharing the store shares them. */
export function createRateLimiter({ config, store, metrics }: RateLimiterDeps): RateLimiter {
  const limits: Record<RateLimitKind, number> = { user: config.rateLimitPerUser, ip: config.rateLimitPerIp };

  async function check(kind: RateLimitKind, id: string): Promise<RateLimitDecision | undefined> {
    const limit = limits[kind];
    if (limit <= 0) return undefined;
    let hit: { count: number; resetMs: number };
    try {
      hit = await store.counters.hit(`${kind}:${id}`, WINDOW_MS);
    } catch {
      metrics.rateLimitUnchecked.inc({ kind });
      return undefined;
    }
    const allowed = hit.count <= limit;
    if (!allowed) metrics.rateLimited.inc({ kind });
    return {
      kind,
      allowed,
      limit,
      remaining: Math.max(0, limit - hit.count),
      resetSeconds: Math.max(1, Math.ceil(hit.resetMs / 1000)),
    };
  }

  const middleware: RequestHandler = async (req, res, next) => {
    const sub = (res.locals as { auth?: { sub?: unknown } }).auth?.sub;
    let decision: RateLimitDecision | undefined;
    if (typeof sub === 'string') decision = await check('user', sub);
    else if (!req.headers.authorization) decision = await check('ip', req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!decision || applyRateLimit(res, decision)) next();
  };

  return {
    check,
    middleware,
    async toolCallLimit(sub) {
      const decision = await check('user', sub);
      return decision && !decision.allowed ? rateLimitedToolResult(decision) : undefined;
    },
  };
}
