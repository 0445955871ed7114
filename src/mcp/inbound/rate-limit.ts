import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenCheck } from '../../auth/index.js';
import type { Config } from '../../config/index.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { Store } from '../../state/types.js';
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
  /** The client's address (express's `req.ip` rule, honouring `trust proxy` behind a load balancer). */
  clientIp: (req: IncomingMessage) => string | undefined;
}

export interface RateLimiter {
  /**
   * Counts one request of `id` against the `kind` limit. Undefined when that limit is off (0) or when
   * the store could not count it: the limiter fails open, so a Redis outage never refuses service.
   */
  check(kind: RateLimitKind, id: string): Promise<RateLimitDecision | undefined>;
  /**
   * Counts a request the bearer gate has checked (`checkToken`), before any refusal is answered: per
   * user when its token verified; per client IP otherwise (`clientIp`, asked only then): no token, a token
   * sent the wrong way, a token that does not verify. A token that could not be checked because the
   * issuer's keys are unreachable is not counted (the gate answers 503: the bridge's fault). The decision
   * is answered with `applyRateLimit`, or its headers sent with the answer (`rateLimitHeaderList`).
   */
  countChecked(req: IncomingMessage, checked: TokenCheck): Promise<RateLimitDecision | undefined>;
}

/** Fixed one-minute windows: the configured limits are per minute. */
const WINDOW_MS = 60_000;

function describe(decision: RateLimitDecision): string {
  const who = decision.kind === 'user' ? 'this user' : 'this client address';
  return `Rate limit reached for ${who}: ${decision.limit} requests per minute. Retry in ${decision.resetSeconds} s.`;
}

/**
 * IETF draft `RateLimit` header fields (draft-ietf-httpapi-ratelimit-headers), sent on every counted
 * response, as a flat name, value list (for `writeHead`, and for the head of a stream).
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
 * `Retry-After` and a JSON body. Returns whether the request may go on.
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

/** Inbound rate limits, counted in `store.counters` so every instance sharing the store shares them. */
export function createRateLimiter({ config, store, metrics, clientIp }: RateLimiterDeps): RateLimiter {
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

  async function countChecked(req: IncomingMessage, checked: TokenCheck): Promise<RateLimitDecision | undefined> {
    if (checked.ok && checked.auth) return check('user', checked.auth.sub);
    if (checked.ok || checked.error.code !== 'jwks_unavailable') return check('ip', clientIp(req) ?? 'unknown');
    return undefined;
  }

  return { check, countChecked };
}
