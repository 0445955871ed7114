import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanStatusCode } from '@opentelemetry/api';
import { Agent, type Dispatcher } from 'undici';
import type { Config } from '../config/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { injectTraceparent, withSpan } from '../telemetry/tracing.js';
import { CallAbort, exchange, ResponseTooLargeError } from './exchange.js';
import { type ConcurrencyLimiter, createConcurrencyLimiter } from './limiter.js';
import { backoffDelayMs, isConnectionReset, MAX_RETRIES, parseRetryAfter, RETRYABLE_STATUSES } from './retry.js';
import type {
  UpstreamCallContext,
  UpstreamClient,
  UpstreamFailure,
  UpstreamFailureKind,
  UpstreamOutcome,
  UpstreamRequest,
} from './types.js';

export interface UpstreamClientDeps {
  config: Pick<Config, 'apiUrl' | 'upstreamTimeoutMs' | 'maxConcurrentUpstreamPerUser'>;
  metrics: Pick<Metrics, 'upstreamLatency'>;
  /** undici dispatcher to send through; default a keep-alive Agent (one connection pool per origin). */
  dispatcher?: Dispatcher;
  /** Randomness of the backoff jitter (tests pin it). */
  random?: () => number;
  /**
   * The process logger: its level says whether the per-call debug lines are wanted, so a call that
   * goes well never touches `ctx.logger` (which the MCP layer builds on first use). Without it the
   * client asks `ctx.logger`.
   */
  logger?: Pick<Logger, 'isLevelEnabled'>;
}

/** Retry-After advised when a 429 came without one. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;
/** A retry is only worth starting with at least this much of the timeout left. */
const MIN_ATTEMPT_MS = 50;

function classify(status: number): UpstreamFailureKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if ([400, 409, 415, 422].includes(status)) return 'rejected';
  if (status >= 500) return 'unavailable';
  return 'unexpected';
}

/**
 * The answer's headers as one string each. undici gives an array only for a repeated header, which
 * is rare: then (and only then) a copy with the values joined is made.
 */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  for (const name in headers) {
    if (Array.isArray(headers[name])) {
      const out: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(headers)) out[key] = Array.isArray(value) ? value.join(', ') : value;
      return out;
    }
  }
  return headers as Record<string, string | undefined>;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** What names one call in its log lines. */
interface CallIdentity {
  request: UpstreamRequest;
  ctx: UpstreamCallContext;
  /** The `X-Request-Id` sent to NeonPanel. */
  requestId: string;
  /** `Date.now()` when the call began. */
  started: number;
}

/** A call's fields go on each line rather than into a child logger: most calls log one line at most. */
function callFields({ request, ctx, requestId }: CallIdentity, fields: object): object {
  return {
    operation: request.operationId,
    upstreamRequestId: requestId,
    mcpRequestId: ctx.caller.requestId,
    sub: ctx.caller.sub,
    ...fields,
  };
}

/** A failed call's outcome, logged at warn (every failure is, whatever the level). */
function failed(call: CallIdentity, failure: Omit<UpstreamFailure, 'ok' | 'requestId'>): UpstreamFailure {
  const { kind, status, attempts } = failure;
  call.ctx.logger.warn(
    callFields(call, { kind, status, attempts, durationMs: Date.now() - call.started }),
    'upstream call failed',
  );
  return { ok: false, requestId: call.requestId, ...failure };
}

/**
 * The NeonPanel API client: pooled keep-alive connections, the caller's bearer token and a fresh
 * `X-Request-Id` on every call, one deadline per call (`upstreamTimeoutMs`) that covers retries,
 * retries with jittered backoff for reads on 502/503/504 and dropped connections, 429 honoured
 * when its `Retry-After` fits the deadline, and a per-user cap on calls in flight.
 * It never throws for upstream faults: every outcome is a value.
 */
export function createUpstreamClient(deps: UpstreamClientDeps): UpstreamClient {
  const { config, metrics } = deps;
  const ownDispatcher = deps.dispatcher ? undefined : new Agent({ keepAliveTimeout: 10_000, connections: 256 });
  const dispatcher = deps.dispatcher ?? (ownDispatcher as Dispatcher);
  const random = deps.random ?? Math.random;
  const limiter: ConcurrencyLimiter = createConcurrencyLimiter(config.maxConcurrentUpstreamPerUser);
  const base = new URL(config.apiUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const { origin, host } = base;
  /** Whether per-call debug lines are wanted, asked without building `ctx.logger` when the process logger is known. */
  const debugWanted = (ctx: UpstreamCallContext) => (deps.logger ?? ctx.logger).isLevelEnabled('debug');

  /** `path` with the request's query, if any. */
  function target(path: string, request: UpstreamRequest): string {
    if (!request.query || request.query.length === 0) return path;
    return `${path}?${new URLSearchParams(request.query.map(([k, v]): [string, string] => [k, v]))}`;
  }

  async function send(request: UpstreamRequest, ctx: UpstreamCallContext): Promise<UpstreamOutcome> {
    const requestId = randomUUID();
    const started = Date.now();
    const deadline = started + config.upstreamTimeoutMs;
    const identity: CallIdentity = { request, ctx, requestId, started };
    const release = limiter.tryAcquire(ctx.caller.sub);
    if (!release) {
      ctx.logger.warn(
        callFields(identity, { limit: limiter.max }),
        'upstream call refused: per-user concurrency cap reached',
      );
      return { ok: false, kind: 'busy', requestId, retryAfterSeconds: 1, attempts: 0 };
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${ctx.caller.token}`,
      accept: 'application/json, text/plain;q=0.5',
      'x-request-id': requestId,
      'user-agent': 'neonpanel-mcp',
    };
    if (request.body) headers['content-type'] = request.body.contentType;
    const pathOnly = `${basePath}${request.path}`;
    const path = target(pathOnly, request);
    const call = new CallAbort(config.upstreamTimeoutMs, ctx.signal);

    try {
      for (let attempt = 1; ; attempt++) {
        if (call.timedOut || deadline - Date.now() <= 0) {
          return failed(identity, { kind: 'timeout', attempts: attempt - 1, maybeApplied: !request.retryable });
        }
        const attemptStart = performance.now();
        let retryDelayMs: number | undefined;
        let label: string;
        try {
          const answer = await withSpan(
            'upstream.call',
            {
              'http.request.method': request.method,
              'server.address': host,
              'url.path': pathOnly,
              'neonpanel.operation': request.operationId,
              'neonpanel.request_id': requestId,
              'http.request.resend_count': attempt > 1 ? attempt - 1 : undefined,
            },
            async (span) => {
              // Per attempt: each attempt is its own span, and NeonPanel sees it as the parent of its work.
              injectTraceparent(headers);
              const answer = await exchange(
                dispatcher,
                { origin, path, method: request.method, headers, body: request.body?.data ?? null },
                call,
              );
              span.setAttribute('http.response.status_code', answer.status);
              if (answer.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
              return answer;
            },
            { kind: 'client' },
          );
          const status = answer.status;
          label = String(status);
          const resHeaders = flattenHeaders(answer.headers);
          const body = parseBody(answer.text, resHeaders['content-type']);
          metrics.upstreamLatency.observe(
            { operation: request.operationId, status: label },
            (performance.now() - attemptStart) / 1000,
          );
          if (status >= 200 && status < 300) {
            // At info, a request is one access-log line; a call that went well adds detail only at debug
            // (its latency is in the metrics). A failed call is always logged, at warn.
            if (debugWanted(ctx)) {
              ctx.logger.debug(
                callFields(identity, { status, attempts: attempt, durationMs: Date.now() - started }),
                'upstream call',
              );
            }
            return { ok: true, status, headers: resHeaders, body, requestId };
          }
          const left = deadline - Date.now();
          if (status === 429) {
            const retryAfter = parseRetryAfter(resHeaders['retry-after']);
            const fits = retryAfter !== undefined && retryAfter * 1000 + MIN_ATTEMPT_MS < left;
            if (!request.retryable || !fits || attempt > MAX_RETRIES) {
              return failed(identity, {
                kind: 'rate_limited',
                status,
                body,
                attempts: attempt,
                retryAfterSeconds: retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS,
              });
            }
            retryDelayMs = retryAfter * 1000;
          } else if (request.retryable && RETRYABLE_STATUSES.has(status) && attempt <= MAX_RETRIES) {
            retryDelayMs = backoffDelayMs(attempt - 1, random);
            if (retryDelayMs + MIN_ATTEMPT_MS >= left) retryDelayMs = undefined;
          }
          if (retryDelayMs === undefined)
            return failed(identity, { kind: classify(status), status, body, attempts: attempt });
        } catch (err) {
          const timedOut = call.timedOut;
          const cancelled = !timedOut && ctx.signal?.aborted === true;
          label = timedOut ? 'timeout' : cancelled ? 'cancelled' : isConnectionReset(err) ? 'reset' : 'error';
          metrics.upstreamLatency.observe(
            { operation: request.operationId, status: label },
            (performance.now() - attemptStart) / 1000,
          );
          if (timedOut)
            return failed(identity, { kind: 'timeout', attempts: attempt, maybeApplied: !request.retryable });
          if (cancelled)
            return failed(identity, { kind: 'cancelled', attempts: attempt, maybeApplied: !request.retryable });
          if (err instanceof ResponseTooLargeError) return failed(identity, { kind: 'unexpected', attempts: attempt });
          const reset = isConnectionReset(err);
          if (reset && request.retryable && attempt <= MAX_RETRIES) {
            retryDelayMs = backoffDelayMs(attempt - 1, random);
            if (retryDelayMs + MIN_ATTEMPT_MS >= deadline - Date.now()) retryDelayMs = undefined;
          }
          if (retryDelayMs === undefined) {
            if (debugWanted(ctx)) {
              ctx.logger.debug(callFields(identity, { err: (err as Error).message }), 'upstream connection error');
            }
            return failed(identity, {
              kind: 'connection',
              attempts: attempt,
              maybeApplied: reset && !request.retryable,
            });
          }
        }
        if (debugWanted(ctx)) {
          ctx.logger.debug(
            callFields(identity, { attempt, status: label, retryInMs: retryDelayMs }),
            'retrying upstream call',
          );
        }
        try {
          await sleep(retryDelayMs, undefined, ctx.signal ? { signal: ctx.signal } : undefined);
        } catch {
          return failed(identity, { kind: 'cancelled', attempts: attempt });
        }
      }
    } finally {
      call.dispose();
      release();
    }
  }

  return {
    send,
    async close() {
      await ownDispatcher?.close();
    },
  };
}
