/**
 * Measure 7, beyond the six: what shared state in Redis costs a tool call, for deployments of
 * several instances (`REDIS_URL`). A second bridge runs with `REDIS_URL` pointing at a redis-server of its
 * own, pinned with the servers; the same `tools/call` loads go to the bridge with in-process state and to
 * the one with Redis, alternately, and each Redis run is set against the in-process run of its round.
 *
 * What a call asks of the store: every call counts against its user's rate limit (one EVAL); a session
 * call also reads and refreshes its session record (one GETEX). The transports measured are those two
 * shapes; 2026-07-28 requests and `/messages` direct ask what a stateless call asks, and a legacy SSE
 * message goes through Redis only when its stream is held by another instance.
 */
import type { LoadResult } from '../load/jobs.js';
import { LIST_COMPANIES, type Target } from '../load/protocol.js';
import type { Plan } from '../plan.js';
import type { Child } from '../processes/spawn.js';
import { type BenchRedis, type Placement, startBenchRedis, startBridge } from '../setup.js';
import { type Spread, paired, spread } from '../stats.js';
import { type Scenario, loadJob, loadWithCpu, tally } from './throughput.js';

export const SHARED_STATE_TRANSPORTS = ['streamable-stateless', 'streamable-session'] as const satisfies Target[];

/** One bridge's figures for one transport over all runs. */
export interface StateFigures {
  requestsPerSecond: Spread;
  bridgeCpuUs: Spread;
}

export interface SharedStateRow {
  target: (typeof SHARED_STATE_TRANSPORTS)[number];
  memory: StateFigures;
  redis: StateFigures & { redisCpuUs: Spread };
  /** Redis ÷ in-process throughput, each Redis run against the in-process run of its round. */
  ratio: Spread;
  /** Answers counted on both bridges over all runs, and failures among them. */
  requests: number;
  errors: number;
  firstError?: string;
}

export type SharedStateResults = { rows: SharedStateRow[] } | { skipped: string };

/** One load run's figures; `redisCpuUs` is 0 for the in-process bridge. */
type Run = LoadResult & { bridgeCpuUs: number; redisCpuUs: number };

/** The bridge with `REDIS_URL` and its redis-server, started beside the other servers. */
export interface RedisBridge {
  bridge: Child;
  redis: BenchRedis;
  stop(): Promise<void>;
}

/** Starts redis-server and a bridge using it; undefined when redis-server is not installed. */
export async function startRedisBridge(placed: Placement, sandboxUrl: string): Promise<RedisBridge | undefined> {
  const redis = await startBenchRedis(placed);
  if (!redis) return undefined;
  try {
    const bridge = await startBridge(placed, sandboxUrl, { name: 'bridge (Redis)', env: { REDIS_URL: redis.url } });
    return {
      bridge,
      redis,
      async stop() {
        await bridge.stop();
        await redis.stop();
      },
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}

/**
 * Runs every transport `plan.runs` times on both bridges at c=64, after a warm-up pass of the Redis bridge
 * (`memory`, the bridge the throughput runs used, is warm already). Skipped, with the reason, when there
 * is no Redis bridge (redis-server is not installed).
 */
export async function measureSharedState(
  plan: Plan,
  loader: Child,
  bridges: { memory: Child; redis: RedisBridge | undefined },
  token: string,
  progress: (line: string) => void,
): Promise<SharedStateResults> {
  const shared = bridges.redis;
  if (!shared) return { skipped: 'not measured: redis-server is not installed (apt-get install redis-server)' };
  const servers = { memory: bridges.memory, redis: shared.bridge };
  const scenarios: Scenario[] = SHARED_STATE_TRANSPORTS.map((target) => ({
    target,
    call: LIST_COMPANIES,
    concurrency: 64,
  }));
  // Longer than the throughput runs' pass: this bridge is fresh, and a fresh bridge spends about 40 % more
  // CPU per call over its first ten seconds of load (bench/findings.md), while the other is long warm.
  const warm = { warmupMs: 0, durationMs: plan.warmUpPassMs * 3, maxRequests: plan.maxRequests };
  for (const scenario of scenarios) await loader.request(loadJob(scenario, shared.bridge.url, token, warm));

  const runs = scenarios.map(() => ({ memory: [] as Run[], redis: [] as Run[] }));
  for (let run = 1; run <= plan.runs; run++) {
    for (const [index, scenario] of scenarios.entries()) {
      // Alternate which bridge goes first, so neither always follows the other's load.
      const order = run % 2 === 1 ? (['memory', 'redis'] as const) : (['redis', 'memory'] as const);
      for (const kind of order) {
        const redis = kind === 'redis' ? shared.redis : undefined;
        const result = await measuredRun(loader, servers[kind], redis, scenario, token, plan);
        runs[index]![kind].push(result);
        progress(
          `run ${run}/${plan.runs} shared state ${kind} ${scenario.target} c=64: ${result.requestsPerSecond.toFixed(0)} req/s, ` +
            `bridge CPU ${result.bridgeCpuUs.toFixed(0)} µs/call` +
            (redis ? `, Redis CPU ${result.redisCpuUs.toFixed(0)} µs/call` : '') +
            (result.errors > 0 ? `, ${result.errors} errors (${result.firstError})` : ''),
        );
      }
    }
  }
  return { rows: SHARED_STATE_TRANSPORTS.map((target, index) => rowOf(target, runs[index]!)) };
}

/** A process that spends nothing: the in-process bridge has no Redis. */
const NO_PROCESS = { cpuSeconds: () => 0 };

async function measuredRun(
  loader: Child,
  bridge: Child,
  redis: BenchRedis | undefined,
  scenario: Scenario,
  token: string,
  plan: Plan,
): Promise<Run> {
  const { result, cpuUs } = await loadWithCpu({ bridge, redis: redis ?? NO_PROCESS }, () =>
    loader.request<LoadResult>(loadJob(scenario, bridge.url, token, plan)),
  );
  return { ...result, bridgeCpuUs: cpuUs.bridge, redisCpuUs: cpuUs.redis };
}

function rowOf(target: SharedStateRow['target'], runs: { memory: Run[]; redis: Run[] }): SharedStateRow {
  const figures = (list: Run[]): StateFigures => ({
    requestsPerSecond: spread(list.map((r) => r.requestsPerSecond)),
    bridgeCpuUs: spread(list.map((r) => r.bridgeCpuUs)),
  });
  const memory = figures(runs.memory);
  const redis = { ...figures(runs.redis), redisCpuUs: spread(runs.redis.map((r) => r.redisCpuUs)) };
  return {
    target,
    memory,
    redis,
    ratio: paired(redis.requestsPerSecond, memory.requestsPerSecond, (r, m) => r / m),
    ...tally([...runs.memory, ...runs.redis]),
  };
}
