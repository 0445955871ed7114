/**
 * The NeonPanel API client: pooled connections, the caller's token, timeouts, retries, the
 * per-user concurrency cap, and URL serialisation that no argument can subvert.
 */
export { createUpstreamClient, type UpstreamClientDeps } from './client.js';
export { type ConcurrencyLimiter, createConcurrencyLimiter } from './limiter.js';
export {
  encodePathSegment,
  expandPath,
  isUnusablePathSegment,
  type QueryStyle,
  serializeQueryParameter,
} from './path.js';
export { backoffDelayMs, isConnectionReset, MAX_RETRIES, parseRetryAfter, RETRYABLE_STATUSES } from './retry.js';
export type {
  UpstreamCallContext,
  UpstreamClient,
  UpstreamFailure,
  UpstreamFailureKind,
  UpstreamOutcome,
  UpstreamRequest,
  UpstreamSuccess,
} from './types.js';
