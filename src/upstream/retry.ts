/** Retry policy of NeonPanel calls: which answers are worth another try, and how long to wait. */

/** Statuses that mean "the gateway or a backend was briefly unavailable": safe to retry a read. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** Retries after the first attempt, at most. */
export const MAX_RETRIES = 3;

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of base·2ⁿ, so retries of
 * many callers after one outage spread out instead of arriving together.
 */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Seconds from a `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_REQ_RETRY',
]);

/** True for errors that mean the connection dropped under the request (not a timeout, not a refusal). */
export function isConnectionReset(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RESET_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
