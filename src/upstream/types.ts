import type { Caller } from '../caller/index.js';
import type { Logger } from '../telemetry/logger.js';

/** One NeonPanel API call, already serialised: the client adds nothing but transport headers. */
export interface UpstreamRequest {
  /** The OpenAPI operationId, used for metrics and logs. */
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path below the API base URL, every parameter already percent-encoded, starting with `/`. */
  path: string;
  /** Query pairs in order; repeated keys are allowed (form explode). */
  query?: ReadonlyArray<readonly [string, string]>;
  body?: { contentType: string; data: string | Buffer };
  /**
   * True when the call may be sent twice without harm (reads). Only these are retried; a write is
   * sent at most once whatever happens.
   */
  retryable: boolean;
}

/**
 * One call's caller and surroundings. The bridge forwards the caller's own token and nothing else of
 * their request; `caller.sub` keys the per-user cap, and `caller.requestId` (the MCP side's) is logged
 * next to the upstream `X-Request-Id`.
 */
export interface UpstreamCallContext {
  readonly caller: Caller;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}

/** A 2xx answer. `body` is parsed JSON for JSON answers, the text otherwise (undefined when empty). */
export interface UpstreamSuccess {
  ok: true;
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
  requestId: string;
}

/** Why a call did not produce a 2xx answer, classified for the model-facing message. */
export type UpstreamFailureKind =
  | 'unauthorized' // 401: token expired or revoked
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'rejected' // 400, 409, 415, 422: NeonPanel refused the input
  | 'rate_limited' // 429
  | 'unavailable' // 5xx
  | 'timeout' // no complete answer within the per-call timeout
  | 'connection' // connection refused, reset or dropped
  | 'busy' // the caller's concurrent-call cap was reached; nothing was sent
  | 'cancelled' // the caller went away
  | 'unexpected'; // any other status

export interface UpstreamFailure {
  ok: false;
  kind: UpstreamFailureKind;
  /** HTTP status when NeonPanel answered. */
  status?: number;
  /** The `X-Request-Id` the bridge sent (NeonPanel support can trace it). */
  requestId: string;
  /** From `Retry-After` on 429 (or the bridge's own advice when it could not send). */
  retryAfterSeconds?: number;
  /** Parsed error body (JSON or text), for field names and messages. */
  body?: unknown;
  /** Whether a write may have reached NeonPanel (reset/timeout after sending). */
  maybeApplied?: boolean;
  attempts: number;
}

export type UpstreamOutcome = UpstreamSuccess | UpstreamFailure;

/** The NeonPanel API client the tools use. */
export interface UpstreamClient {
  send(request: UpstreamRequest, ctx: UpstreamCallContext): Promise<UpstreamOutcome>;
  /** Closes pooled connections (only those the client created itself). */
  close(): Promise<void>;
}
