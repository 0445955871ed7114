/** Small statistics helpers: latency percentiles within a run, and median/min/max across runs. */

/** The median, smallest and largest of one figure measured over several runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in run order. */
  runs: number[];
}

/**
 * The p-th percentile (0–100) by the nearest-rank method over values sorted ascending.
 * Nearest-rank never interpolates, so a p99 is always a latency some request really had.
 */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sortedAscending[rank - 1]!;
}

/** Median (middle value; mean of the two middle values for an even count), min and max. */
export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: values };
}

/**
 * One figure per run from two figures measured in the same runs (`combine(a's run i, b's run i)`), then
 * their median, min and max. Runs are interleaved, so run i of every scenario ran in the same minute:
 * pairing them keeps a change in the machine's load between rounds out of a ratio or a difference.
 */
export function paired(a: Spread, b: Spread, combine: (a: number, b: number) => number): Spread {
  if (a.runs.length !== b.runs.length) {
    throw new Error(
      `cannot pair ${a.runs.length} runs with ${b.runs.length}: both figures must come from the same runs`,
    );
  }
  return spread(a.runs.map((value, run) => combine(value, b.runs[run]!)));
}
