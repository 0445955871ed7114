/**
 * Measure 1 and 2: `tools/call list_companies` over every transport, straight to the sandbox and
 * through the baseline, at concurrency 1 and 64 and at a steady rate (open loop, up to 64 in flight);
 * `tools/list` over every transport at 64.
 * Runs are interleaved (run 1 of every scenario, then run 2 of every scenario, …) so that a change
 * in the machine's load during the benchmark touches every scenario alike.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadJob, LoadResult } from '../load/jobs.js';
import { LIST_COMPANIES, type McpCall, TOOLS_LIST, type Target } from '../load/protocol.js';
import type { Plan } from '../plan.js';
import type { Child } from '../processes/spawn.js';
import { type Spread, spread } from '../stats.js';

export const BRIDGE_TRANSPORTS = [
  'streamable-stateless',
  'streamable-2026',
  'streamable-session',
  'messages-direct',
  'legacy-sse',
] as const satisfies readonly Target[];

/** How each target is named in the report. */
export const TARGET_LABELS: Record<Target, string> = {
  'streamable-stateless': 'Streamable HTTP, stateless (2025-11-25, no session)',
  'streamable-2026': 'Streamable HTTP, 2026-07-28 (per-request `_meta`)',
  'streamable-session': 'Streamable HTTP, 2025-11-25 session (`Mcp-Session-Id`)',
  'messages-direct': 'legacy `POST /messages` direct (answer in the HTTP response)',
  'legacy-sse': 'legacy HTTP+SSE (`POST /messages?sessionId`, answer on the stream)',
  'sandbox-direct': 'sandbox direct (`GET /api/v1/companies`)',
  baseline: 'pass-through baseline',
};

export const CONCURRENCIES = [1, 64] as const;

/**
 * The steady load's rate: under half of what the slowest transport answers at c=64 here, so latency is
 * what a call costs plus a little queueing, not the queue of a saturated CPU.
 */
export const STEADY_RATE_PER_SECOND = 250;

export interface Scenario {
  target: Target;
  call: McpCall;
  concurrency: number;
  /** Open loop at this rate (calls per second); closed loop when unset. */
  ratePerSecond?: number;
}

/** One scenario's figures over all runs. */
export interface ThroughputRow extends Scenario {
  requestsPerSecond: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  /**
   * CPU time the server under test (bridge, baseline or sandbox) and, behind it, the sandbox spent per
   * call, in microseconds: robust to a busy machine, where throughput and latency are not.
   * `sandboxCpuUs` is undefined when the sandbox is the server under test.
   */
  serverCpuUs: Spread;
  sandboxCpuUs: Spread | undefined;
  /** Answers counted over all runs, and failures among them. */
  requests: number;
  errors: number;
  firstError?: string;
}

export function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const concurrency of CONCURRENCIES) {
    for (const target of [...BRIDGE_TRANSPORTS, 'sandbox-direct', 'baseline'] as const) {
      list.push({ target, call: LIST_COMPANIES, concurrency });
    }
  }
  for (const target of [...BRIDGE_TRANSPORTS, 'sandbox-direct', 'baseline'] as const) {
    list.push({ target, call: LIST_COMPANIES, concurrency: 64, ratePerSecond: STEADY_RATE_PER_SECOND });
  }
  for (const target of BRIDGE_TRANSPORTS) list.push({ target, call: TOOLS_LIST, concurrency: 64 });
  return list;
}

/** The server children a scenario may target. */
export interface Servers {
  bridge: Child;
  sandbox: Child;
  baseline: Child;
}

function serverOf(target: Target, servers: Servers): Child {
  if (target === 'sandbox-direct') return servers.sandbox;
  if (target === 'baseline') return servers.baseline;
  return servers.bridge;
}

/** With --profile, the first run of each c=64 scenario is profiled in the server it loads. */
async function profiled<T>(plan: Plan, run: number, scenario: Scenario, server: Child, work: () => Promise<T>) {
  if (!plan.profileDir || run !== 1 || scenario.concurrency !== 64 || scenario.ratePerSecond) return work();
  mkdirSync(plan.profileDir, { recursive: true });
  const method = scenario.call.method.replace('/', '-');
  const file = resolve(plan.profileDir, `${scenario.target}-${method}-c${scenario.concurrency}.cpuprofile`);
  await server.request({ type: 'profile', action: 'start' });
  try {
    return await work();
  } finally {
    await server.request({ type: 'profile', action: 'stop', file });
  }
}

/** IPC carries JSON, where NaN (no successful answer, so no latency) arrives as null. */
function withNaN(result: LoadResult): LoadResult {
  const value = (n: number | null) => n ?? Number.NaN;
  return { ...result, p50Ms: value(result.p50Ms), p99Ms: value(result.p99Ms), meanMs: value(result.meanMs) };
}

/**
 * Runs one load and returns its result with the CPU time each of `processes` spent meanwhile, in µs per call
 * answered (warm-up and session or stream setup included).
 */
export async function loadWithCpu<Name extends string>(
  processes: Record<Name, { cpuSeconds(): number }>,
  load: () => Promise<LoadResult>,
): Promise<{ result: LoadResult; cpuUs: Record<Name, number> }> {
  const names = Object.keys(processes) as Name[];
  const before = names.map((name) => processes[name].cpuSeconds());
  const result = withNaN(await load());
  const cpuUs = {} as Record<Name, number>;
  for (const [i, name] of names.entries()) {
    cpuUs[name] = ((processes[name].cpuSeconds() - before[i]!) * 1e6) / Math.max(1, result.calls);
  }
  return { result, cpuUs };
}

/** Answers counted and failed over several runs of one scenario, with the first failure's message. */
export function tally(runs: LoadResult[]): Pick<LoadResult, 'requests' | 'errors' | 'firstError'> {
  const firstError = runs.find((r) => r.firstError)?.firstError;
  return {
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/**
 * One uncounted pass before the first run: every server loaded for `plan.warmUpPassMs` on each target and
 * call the runs use, at c=64. Without it, run 1 measured V8 compiling the bridge's code rather than running
 * it: in the report of e95e1bb the first c=1 run of stateless calls spent 2,239 µs of bridge CPU per call,
 * the later ones 843–960, and a fresh bridge under c=64 load costs about 40 % more per call over its first
 * ten seconds than after them. A long-running deployment runs compiled code; so should the figures.
 */
async function warmUp(plan: Plan, loader: Child, servers: Servers, token: string, list: Scenario[]): Promise<void> {
  const paths = new Map(
    list.map(({ target, call }) => [`${target} ${call.method}`, { target, call, concurrency: 64 }]),
  );
  const timing = { warmupMs: 0, durationMs: plan.warmUpPassMs, maxRequests: plan.maxRequests };
  for (const scenario of paths.values()) {
    await loader.request<LoadResult>(loadJob(scenario, serverOf(scenario.target, servers).url, token, timing));
  }
}

/** The load generator's job for `scenario` on the server at `origin` (closed loop unless it has a rate), timed as given. */
export function loadJob(
  scenario: Scenario,
  origin: string,
  token: string,
  timing: Pick<LoadJob, 'warmupMs' | 'durationMs' | 'maxRequests'>,
): LoadJob {
  return {
    kind: 'load',
    origin,
    target: scenario.target,
    call: scenario.call,
    token,
    concurrency: scenario.concurrency,
    warmupMs: timing.warmupMs,
    durationMs: timing.durationMs,
    maxRequests: timing.maxRequests,
    ...(scenario.ratePerSecond === undefined ? {} : { ratePerSecond: scenario.ratePerSecond }),
  };
}

/** Runs every scenario `plan.runs` times through the load generator, after one warm-up pass. */
export async function measureThroughput(
  plan: Plan,
  loader: Child,
  servers: Servers,
  token: string,
  progress: (line: string) => void,
): Promise<ThroughputRow[]> {
  const list = scenarios();
  const results: Array<Array<LoadResult & { serverCpuUs: number; sandboxCpuUs: number }>> = list.map(() => []);
  progress(`warm-up: every target and call for ${plan.warmUpPassMs} ms at c=64, not counted`);
  await warmUp(plan, loader, servers, token, list);
  for (let run = 1; run <= plan.runs; run++) {
    for (const [index, scenario] of list.entries()) {
      const server = serverOf(scenario.target, servers);
      const job = loadJob(scenario, server.url, token, plan);
      const { result, cpuUs } = await loadWithCpu({ server, sandbox: servers.sandbox }, () =>
        profiled(plan, run, scenario, server, () => loader.request<LoadResult>(job)),
      );
      results[index]!.push({ ...result, serverCpuUs: cpuUs.server, sandboxCpuUs: cpuUs.sandbox });
      progress(
        `run ${run}/${plan.runs} ${scenario.call.method} ${scenario.target} c=${scenario.concurrency}` +
          `${scenario.ratePerSecond ? ` at ${scenario.ratePerSecond}/s` : ''}: ` +
          `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
          `server CPU ${cpuUs.server.toFixed(0)} µs/call` +
          (result.errors > 0 ? `, ${result.errors} errors (${result.firstError})` : ''),
      );
    }
  }
  return list.map((scenario, index) => {
    const runs = results[index]!;
    return {
      ...scenario,
      requestsPerSecond: spread(runs.map((r) => r.requestsPerSecond)),
      p50Ms: spread(runs.map((r) => r.p50Ms)),
      p99Ms: spread(runs.map((r) => r.p99Ms)),
      serverCpuUs: spread(runs.map((r) => r.serverCpuUs)),
      sandboxCpuUs: scenario.target === 'sandbox-direct' ? undefined : spread(runs.map((r) => r.sandboxCpuUs)),
      ...tally(runs),
    };
  });
}
