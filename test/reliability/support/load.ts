/**
 * An open-loop load generator: starts operations at a fixed rate (not "as fast as answers come"),
 * so a slow server meets the same offered load a busy real deployment would. A cap on operations
 * in flight keeps a stalled server from growing the backlog without bound; starts held back by the
 * cap are counted, never silently dropped.
 */

/** What one operation reports back. */
export interface OpResult {
  /** The server answered (a result, a tool error or a JSON-RPC error all count). */
  answered: boolean;
  /** Free-form outcome label for the figures (`ok`, `tool_error:unavailable`, `jsonrpc_error`, …). */
  outcome: string;
}

/** A kind of operation and how often it is picked. */
export interface LoadOp {
  name: string;
  weight: number;
  run(): Promise<OpResult>;
}

export interface LoadOptions {
  ops: readonly LoadOp[];
  ratePerSecond: number;
  durationMs: number;
  maxInFlight: number;
  /** Picks operations deterministically. */
  random: () => number;
}

export interface OpFigures {
  sent: number;
  answered: number;
  /** No answer: the client saw a transport error or timed out. */
  unanswered: number;
  outcomes: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadReport {
  offeredRate: number;
  achievedRate: number;
  durationMs: number;
  sent: number;
  answered: number;
  unanswered: number;
  /** Starts held back because `maxInFlight` operations were still running. */
  heldBack: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  byOp: Record<string, OpFigures>;
  /** Messages of the first unanswered operations, for the failure report. */
  unansweredSamples: string[];
}

/** The q-quantile of sorted numbers (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Runs the load and resolves once every started operation has finished. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const totalWeight = options.ops.reduce((sum, op) => sum + op.weight, 0);
  const pick = (): LoadOp => {
    let r = options.random() * totalWeight;
    for (const op of options.ops) {
      r -= op.weight;
      if (r < 0) return op;
    }
    return options.ops[options.ops.length - 1]!;
  };
  const latencies: number[] = [];
  const perOp = new Map<string, { figures: Omit<OpFigures, 'p50Ms' | 'p99Ms'>; latencies: number[] }>();
  for (const op of options.ops) {
    perOp.set(op.name, { figures: { sent: 0, answered: 0, unanswered: 0, outcomes: {} }, latencies: [] });
  }
  const unansweredSamples: string[] = [];
  const running = new Set<Promise<void>>();
  let started = 0;
  let heldBack = 0;

  const launch = (op: LoadOp) => {
    const entry = perOp.get(op.name)!;
    entry.figures.sent++;
    started++;
    const t0 = performance.now();
    const settle = (result: OpResult) => {
      const ms = performance.now() - t0;
      latencies.push(ms);
      entry.latencies.push(ms);
      if (result.answered) entry.figures.answered++;
      else entry.figures.unanswered++;
      entry.figures.outcomes[result.outcome] = (entry.figures.outcomes[result.outcome] ?? 0) + 1;
    };
    const task: Promise<void> = op
      .run()
      .then(settle, (error: unknown) => {
        if (unansweredSamples.length < 20) unansweredSamples.push(`${op.name}: ${String(error)}`);
        settle({ answered: false, outcome: 'threw' });
      })
      .finally(() => running.delete(task));
    running.add(task);
  };

  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - t0;
      const due = Math.floor((Math.min(elapsed, options.durationMs) / 1000) * options.ratePerSecond);
      while (started + heldBack < due) {
        if (running.size >= options.maxInFlight) {
          heldBack++;
          continue;
        }
        launch(pick());
      }
      if (elapsed >= options.durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  while (running.size > 0) await Promise.all([...running]);
  const durationMs = performance.now() - t0;

  latencies.sort((a, b) => a - b);
  const byOp: Record<string, OpFigures> = {};
  for (const [name, entry] of perOp) {
    entry.latencies.sort((a, b) => a - b);
    byOp[name] = { ...entry.figures, p50Ms: quantile(entry.latencies, 0.5), p99Ms: quantile(entry.latencies, 0.99) };
  }
  const answered = Object.values(byOp).reduce((sum, op) => sum + op.answered, 0);
  return {
    offeredRate: options.ratePerSecond,
    achievedRate: (started / options.durationMs) * 1000,
    durationMs,
    sent: started,
    answered,
    unanswered: started - answered,
    heldBack,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
    byOp,
    unansweredSamples,
  };
}
