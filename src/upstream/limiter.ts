/**
 * Caps how many NeonPanel calls one user has in flight on this instance, so one busy conversation
 * cannot take every pooled connection. Over the cap a call is refused at once rather than queued:
 * queueing would only move the wait into the model's tool-call timeout.
 */
export interface ConcurrencyLimiter {
  /** A release function when a slot was free, undefined when `key` is at its cap. */
  tryAcquire(key: string): (() => void) | undefined;
  /** Calls in flight for `key`. */
  inFlight(key: string): number;
  readonly max: number;
}

export function createConcurrencyLimiter(max: number): ConcurrencyLimiter {
  const counts = new Map<string, number>();
  return {
    max,
    inFlight: (key) => counts.get(key) ?? 0,
    tryAcquire(key) {
      const current = counts.get(key) ?? 0;
      if (current >= max) return undefined;
      counts.set(key, current + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left <= 0) counts.delete(key);
        else counts.set(key, left);
      };
    },
  };
}
