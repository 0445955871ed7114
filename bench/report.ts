/** Judges the figures against the issue's targets and renders the report (markdown, also printed). */
import { number, signedSpreadText, spreadText, table } from './format.js';
import { type MachineInfo, formatLoad } from './machine.js';
import type { ColdStart } from './measures/cold-start.js';
import type { IdleMemoryResults } from './measures/idle-memory.js';
import type { SharedStateResults, SharedStateRow } from './measures/shared-state.js';
import { BRIDGE_TRANSPORTS, STEADY_RATE_PER_SECOND, TARGET_LABELS, type ThroughputRow } from './measures/throughput.js';
import type { TokenValidation } from './measures/token-validation.js';
import { TOOLS_LIST_BUDGET_BYTES } from '../src/tools/list-size.js';
import { BYTES_PER_TOKEN, type ToolsListSize } from './measures/tools-list-size.js';
import type { Target } from './load/protocol.js';
import type { Plan } from './plan.js';
import { type Spread, paired } from './stats.js';

export interface BenchReport {
  plan: Plan;
  machine: MachineInfo;
  loadAfter: number[];
  placement: string;
  seconds: number;
  throughput: ThroughputRow[];
  sharedState: SharedStateResults;
  tokens: TokenValidation;
  memory: IdleMemoryResults;
  coldStart: ColdStart;
  toolsList: ToolsListSize;
}

export interface TargetCheck {
  target: string;
  figure: string;
  met: boolean;
}

const KB = 1024;
const THROUGHPUT_RATIO = 0.7;
const ADDED_P50_MS = 1;
const ADDED_P99_MS = 5;
const CACHED_PER_SECOND = 100_000;
const CACHED_SPEEDUP = 10;
const IDLE_BYTES = 16 * KB;
const COLD_START_MS = 500;

/** A closed-loop scenario's row. */
function row(report: BenchReport, target: Target, method: string, concurrency: number): ThroughputRow | undefined {
  return report.throughput.find(
    (r) =>
      r.target === target && r.call.method === method && r.concurrency === concurrency && r.ratePerSecond === undefined,
  );
}

/** The row of `tools/call` at the steady rate (open loop). */
function steadyRow(report: BenchReport, target: Target): ThroughputRow | undefined {
  return report.throughput.find((r) => r.target === target && r.ratePerSecond !== undefined);
}

interface AddedLatency {
  p50: Spread;
  p99: Spread;
}

const minus = (a: number, b: number) => a - b;

/**
 * Bridge minus direct sandbox in ms, p50 and p99, each run against the sandbox's run of the same round;
 * undefined when either row is missing.
 */
function addedLatency(bridge: ThroughputRow | undefined, sandbox: ThroughputRow | undefined): AddedLatency | undefined {
  if (!bridge || !sandbox) return undefined;
  return { p50: paired(bridge.p50Ms, sandbox.p50Ms, minus), p99: paired(bridge.p99Ms, sandbox.p99Ms, minus) };
}

export function checkTargets(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const baseline = row(report, 'baseline', 'tools/call', 64);
  const sandbox = row(report, 'sandbox-direct', 'tools/call', 64);
  for (const transport of BRIDGE_TRANSPORTS) {
    const bridge = row(report, transport, 'tools/call', 64);
    if (!bridge || !baseline || !sandbox) continue;
    // Each run against the baseline's run of the same round, so a slower minute counts against both.
    const ratio = paired(bridge.requestsPerSecond, baseline.requestsPerSecond, (b, base) => b / base);
    checks.push({
      target: `tools/call throughput at c=64 ≥ ${THROUGHPUT_RATIO}× baseline: ${transport}`,
      figure: `${spreadText(ratio, 2, '×')}; ${number(bridge.requestsPerSecond.median)} vs ${number(baseline.requestsPerSecond.median)} req/s`,
      met: ratio.median >= THROUGHPUT_RATIO,
    });
    const targets = `p50 < ${ADDED_P50_MS} ms and p99 < ${ADDED_P99_MS} ms`;
    const closed = addedLatency(bridge, sandbox);
    if (closed)
      checks.push(latencyCheck(`added latency over direct sandbox at c=64, ${targets}: ${transport}`, closed));
    const steady = addedLatency(steadyRow(report, transport), steadyRow(report, 'sandbox-direct'));
    const rate = `${STEADY_RATE_PER_SECOND} req/s (open loop, up to 64 in flight)`;
    if (steady) checks.push(latencyCheck(`the same, at a steady ${rate}: ${transport}`, steady));
  }
  const shared = sharedStateRows(report);
  const failed = [
    ...report.throughput
      .filter((r) => r.errors > 0)
      .map((r) => `${r.target} c=${r.concurrency}: ${r.errors} (${r.firstError})`),
    ...shared.filter((r) => r.errors > 0).map((r) => `${r.target} (shared state): ${r.errors} (${r.firstError})`),
  ];
  const answers = [...report.throughput, ...shared].reduce((sum, r) => sum + r.requests, 0);
  checks.push({
    target: 'every answer under load succeeded (no HTTP, JSON-RPC or tool errors)',
    figure: failed.length === 0 ? `${number(answers)} answers, 0 errors` : failed.join('; '),
    met: failed.length === 0,
  });
  const { tokens, memory } = report;
  checks.push({
    target: `cached token validation > ${number(CACHED_PER_SECOND)}/s`,
    figure: `${number(tokens.cachedPerSecond.median)}/s`,
    met: tokens.cachedPerSecond.median > CACHED_PER_SECOND,
  });
  checks.push({
    target: `cached token ≥ ${CACHED_SPEEDUP}× cheaper than a new one`,
    figure: `${number(tokens.cachedSpeedup.median, 1)}× (${number(tokens.newPerSecond.median)}/s new)`,
    met: tokens.cachedSpeedup.median >= CACHED_SPEEDUP,
  });
  for (const [label, figures] of [
    ['legacy SSE stream', memory.sse],
    ['Streamable HTTP session', memory.session],
  ] as const) {
    checks.push({
      target: `idle memory < ${IDLE_BYTES / KB} KB per ${label}`,
      figure: `${number(figures.rssBytesPerItem.median / KB, 1)} KB RSS (${number(figures.count)} open)`,
      met: figures.rssBytesPerItem.median < IDLE_BYTES,
    });
  }
  checks.push({
    target: `cold start < ${COLD_START_MS} ms`,
    figure: `${number(report.coldStart.ms.median)} ms`,
    met: report.coldStart.ms.median < COLD_START_MS,
  });
  const full = report.toolsList.views[0];
  checks.push({
    target: `tools/list of every tool ≤ ${TOOLS_LIST_BUDGET_BYTES / KB} KB`,
    figure: full
      ? `${number(full.bytes)} bytes (${number(full.bytes / KB, 1)} KB) for ${number(full.tools)} tools`
      : 'not measured',
    met: full !== undefined && full.bytes <= TOOLS_LIST_BUDGET_BYTES,
  });
  return checks;
}

function latencyCheck(target: string, added: AddedLatency): TargetCheck {
  return {
    target,
    figure: `p50 ${signedSpreadText(added.p50)} ms, p99 ${signedSpreadText(added.p99)} ms`,
    met: added.p50.median < ADDED_P50_MS && added.p99.median < ADDED_P99_MS,
  };
}

/**
 * A `tools/call` row's server CPU per call ÷ the baseline's at the same load, run by run. Microseconds are
 * the machine's (one build spends very different amounts on different virtual machines); the ratio to the
 * floor measured beside it is what compares with a figure taken elsewhere.
 */
function cpuToBaseline(r: ThroughputRow, rows: readonly ThroughputRow[]): string {
  if (r.target === 'baseline') return '(the floor)';
  const floor = rows.find(
    (b) =>
      b.target === 'baseline' &&
      b.call.method === r.call.method &&
      b.concurrency === r.concurrency &&
      b.ratePerSecond === r.ratePerSecond,
  );
  if (!floor || r.target === 'sandbox-direct') return '–';
  return spreadText(
    paired(r.serverCpuUs, floor.serverCpuUs, (server, baseline) => server / baseline),
    2,
    '×',
  );
}

function throughputTable(rows: ThroughputRow[], all: readonly ThroughputRow[]): string {
  return table(
    [
      'transport',
      'concurrency',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server CPU µs/call',
      'server CPU ÷ baseline',
      'sandbox CPU µs/call',
      'errors',
    ],
    rows.map((r) => [
      TARGET_LABELS[r.target],
      r.ratePerSecond ? `≤ ${r.concurrency} at ${r.ratePerSecond}/s` : String(r.concurrency),
      spreadText(r.requestsPerSecond),
      spreadText(r.p50Ms, 2),
      spreadText(r.p99Ms, 2),
      spreadText(r.serverCpuUs),
      cpuToBaseline(r, all),
      r.sandboxCpuUs ? spreadText(r.sandboxCpuUs) : '(is the server)',
      number(r.errors),
    ]),
  );
}

/**
 * The whole report as markdown: what docs/benchmarks.md holds and what the benchmark prints.
 * `findings` (bench/findings.md: what profiling found behind missed targets) is appended as written.
 */
export function renderMarkdown(report: BenchReport, findings = ''): string {
  const { plan, machine, tokens, memory, coldStart, toolsList } = report;
  const checks = checkTargets(report);
  const calls = report.throughput.filter((r) => r.call.method === 'tools/call' && r.ratePerSecond === undefined);
  const steady = report.throughput.filter((r) => r.ratePerSecond !== undefined);
  const lists = report.throughput.filter((r) => r.call.method === 'tools/list');
  const mode = plan.quick ? '`--quick`' : 'full';
  const runsText = plan.runs === 1 ? '1 run (figures are that run)' : `${plan.runs} runs (median, then min–max)`;
  return `# Benchmarks

Written by \`npm run bench\` (${mode} run, ${number(report.seconds)} s). Do not edit by hand: run it again.
Figures are ${runsText}. Targets are those of the benchmark issue.

| | |
|---|---|
| date | ${machine.date} |
| machine | ${machine.cpuModel}, ${machine.cores} cores, ${number(machine.memoryGiB, 1)} GiB memory |
| Node.js | ${machine.node} |
| commit | ${machine.commit} |
| load average (1, 5, 15 min) | before ${formatLoad(machine.loadBefore)}; after ${formatLoad(report.loadAfter)} |
| CPU placement | ${report.placement} |
| warm-up pass | before run 1, ${number(plan.warmUpPassMs)} ms of c=64 load on every target and call, not counted |
| load per run | ${number(plan.warmupMs)} ms warm-up, then ${number(plan.durationMs)} ms or ${number(plan.maxRequests)} answers |

## Targets

${table(
  ['target', 'figure', 'met'],
  checks.map((c) => [c.target, c.figure, c.met ? 'yes' : '**no**']),
)}

## 1. \`tools/call list_companies\`

${throughputTable(calls, report.throughput)}

${addedLatencyTable(report)}

### At a steady ${STEADY_RATE_PER_SECOND} calls per second

Open loop: calls start every ${number(1000 / STEADY_RATE_PER_SECOND, 0)} ms whatever the answers, on 64 workers (a call waits for a
free one); req/s is the rate achieved. Below saturation, latency is what a call costs in time plus a little
queueing, which is what the added-latency target is about.

${throughputTable(steady, report.throughput)}

${steadyAddedTable(report)}

## 2. \`tools/list\` at concurrency 64

${throughputTable(lists, report.throughput)}

## 3. Token validation (src/auth \`verify\`)

${table(
  ['token', 'verifications/s'],
  [
    [
      `new (RS256 signature checked), ${number(tokens.newTokensPerRun)} distinct per run`,
      spreadText(tokens.newPerSecond),
    ],
    [`cached, ${number(tokens.cachedVerificationsPerRun)} verifications per run`, spreadText(tokens.cachedPerSecond)],
    ['cached ÷ new', `${spreadText(tokens.cachedSpeedup, 1)}×`],
  ],
)}

## 4. Idle memory

${table(
  ['idle', 'open', 'RSS per item, KB', 'JS heap per item, KB'],
  [
    [
      'legacy SSE stream',
      number(memory.sse.count),
      spreadText(kb(memory.sse.rssBytesPerItem), 1),
      spreadText(kb(memory.sse.heapBytesPerItem), 1),
    ],
    [
      'Streamable HTTP session',
      number(memory.session.count),
      spreadText(kb(memory.session.rssBytesPerItem), 1),
      spreadText(kb(memory.session.heapBytesPerItem), 1),
    ],
  ],
)}
${memory.note ? `\n${memory.note}\n` : ''}
## 5. Cold start

${table(['entry point', 'spawn → first 200 from /readyz, ms'], [[coldStart.command, spreadText(coldStart.ms)]])}

## 6. \`tools/list\` size

What a connection is served on each URL it can choose: every tool, read tools only, or one toolset (which
also lists \`list_companies\`, whose \`companyUuid\` every other tool takes). Bytes of the tools as served
(their MCP Apps links included), counted by \`toolsListBytes\` as the budget of ${number(TOOLS_LIST_BUDGET_BYTES)}
bytes is; a 2026-07-28 answer adds a few hundred bytes of cache hints around them.

${table(
  ['view', 'URL', 'tools', 'bytes', 'KB', 'share of the budget', `estimated tokens (bytes ÷ ${BYTES_PER_TOKEN})`],
  toolsList.views.map((v) => [
    v.view,
    `\`${v.path}\``,
    number(v.tools),
    number(v.bytes),
    number(v.bytes / KB, 1),
    `${number((v.bytes / TOOLS_LIST_BUDGET_BYTES) * 100)} %`,
    number(v.estimatedTokens),
  ]),
)}

The answers are deterministic: the same bytes in every run.

## 7. Shared state in Redis

Not one of the issue's targets: what a deployment of several instances (\`REDIS_URL\`) pays per call. A second
bridge keeps its state in a redis-server of its own, and the same c=64 loads go to it and to the bridge above
(state in its own memory), alternately; the ratio is taken run by run. Every call counts against its user's rate
limit in the store (one \`EVAL\`); a session call also reads and refreshes its session record (one \`GETEX\`).
Redis runs with the servers on CPU 0, so its CPU is paid there like the bridge's; in production it is another
machine, and a call pays a network round trip instead.

${sharedStateSection(report.sharedState)}

${METHOD}${findings ? `\n${findings.trim()}\n` : ''}`;
}

/** Bridge minus direct sandbox, per transport, at both concurrencies (run by run). */
function addedLatencyTable(report: BenchReport): string {
  const added = (transport: Target, concurrency: number) =>
    addedCells(
      addedLatency(
        row(report, transport, 'tools/call', concurrency),
        row(report, 'sandbox-direct', 'tools/call', concurrency),
      ),
    );
  return `Added latency over the direct sandbox call, ms: each run's figure minus the direct call's in the same round,
median (min to max) over the runs. In a closed loop, latency at concurrency 64 is
mostly queueing (64 ÷ throughput), so the c=1 columns show what one call costs in time, and the c=64 columns
follow from throughput.

${table(
  ['transport', 'p50 c=1', 'p99 c=1', 'p50 c=64', 'p99 c=64'],
  BRIDGE_TRANSPORTS.map((t) => [TARGET_LABELS[t], ...added(t, 1), ...added(t, 64)]),
)}`;
}

/** Bridge (and baseline) minus direct sandbox at the steady rate (run by run). */
function steadyAddedTable(report: BenchReport): string {
  const sandbox = steadyRow(report, 'sandbox-direct');
  return table(
    ['transport', 'added p50 ms', 'added p99 ms'],
    [...BRIDGE_TRANSPORTS, 'baseline' as const].map((t) => [
      TARGET_LABELS[t],
      ...addedCells(addedLatency(steadyRow(report, t), sandbox)),
    ]),
  );
}

/** The shared-state rows, none when that measure was skipped. */
function sharedStateRows(report: BenchReport): SharedStateRow[] {
  return 'rows' in report.sharedState ? report.sharedState.rows : [];
}

function sharedStateSection(results: SharedStateResults): string {
  if ('skipped' in results) return `*${results.skipped}.*`;
  return table(
    [
      'transport',
      'in-process req/s',
      'Redis req/s',
      'Redis ÷ in-process',
      'bridge CPU µs/call, in-process',
      'bridge CPU µs/call, Redis',
      'Redis CPU µs/call',
      'errors',
    ],
    results.rows.map((r) => [
      TARGET_LABELS[r.target],
      spreadText(r.memory.requestsPerSecond),
      spreadText(r.redis.requestsPerSecond),
      spreadText(r.ratio, 2, '×'),
      spreadText(r.memory.bridgeCpuUs),
      spreadText(r.redis.bridgeCpuUs),
      spreadText(r.redis.redisCpuUs),
      number(r.errors),
    ]),
  );
}

/** The p50 and p99 cells of an added latency, "n/a" where a row is missing. */
function addedCells(added: AddedLatency | undefined): [string, string] {
  return added ? [signedSpreadText(added.p50), signedSpreadText(added.p99)] : ['n/a', 'n/a'];
}

function kb(s: Spread): Spread {
  return { median: s.median / KB, min: s.min / KB, max: s.max / KB, runs: s.runs.map((v) => v / KB) };
}

const METHOD = `## Method

- **Processes.** The sandbox (the local NeonPanel, no injected latency), the bridge and the baseline each run in
  their own Node.js process; the load generator runs in another. The benchmark process only coordinates.
  All traffic is HTTP on 127.0.0.1. See "CPU placement" above for how the 2 cores are shared. The servers run
  with V8's memory reducer off (\`--no-memory-reducer\`): it collects a few seconds after a process's load
  stops, which landed in the next scenario, measuring another process on the same CPU.
- **Baseline** (\`bench/baseline-server.ts\`): a bare \`node:http\` server that verifies each distinct bearer token
  once with jose against the sandbox's JWKS and remembers it, forwards \`GET /api/v1/companies\` with the caller's
  token on a pooled undici client, and wraps the answer in a JSON-RPC result. It is the floor; the bridge is judged
  as a ratio to it, measured in the same run.
- **Load** (\`bench/load/loader.ts\`): closed loop; each of \`concurrency\` workers holds one keep-alive connection and
  sends its next call when the last is answered. The steady load is open loop instead: calls start on a fixed
  schedule, each on whichever of the 64 workers is free, and a call's time runs from when it is sent. Every
  answer is checked (HTTP status, JSON-RPC result, no tool error); failures are counted in "errors" and left
  out of the latencies. Legacy SSE workers each hold a stream, POST to the endpoint it announced, and match the
  answer on the stream by JSON-RPC id. Streamable HTTP session workers each initialize once and reuse their
  \`Mcp-Session-Id\`. 2026-07-28 requests carry \`MCP-Protocol-Version\`, \`Mcp-Method\`, \`Mcp-Name\` and the
  \`_meta\` envelope, as the official client sends them.
- **CPU µs/call**: CPU time (user + system, from \`/proc/<pid>/stat\`) the server under test and the sandbox
  used during a load run, divided by the calls answered in it (warm-up and session or stream setup included).
  Unlike req/s and latency it hardly moves when other processes compete for the CPUs, so it is the figure to
  compare on a busy machine: with the server and the sandbox sharing CPU 0, the most calls per second CPU 0 allows
  is about 1,000,000 ÷ (server + sandbox µs/call). It is this machine's figure, though: the same build spends
  very different microseconds on different virtual machines, the baseline included. **Server CPU ÷
  baseline** divides it by the pass-through baseline's in the same round (node:http, jose and undici, the least
  a server can do for the same call), which is what compares with a measurement taken elsewhere. The sandbox
  behind both is the whole local NeonPanel (express, token check, data model), several times the CPU of a
  fixed answer, and shares CPU 0: a server whose upstream is slower answers fewer calls per event-loop turn,
  which alone raises its CPU per call (bench/findings.md, "Five times the CPU?").
- **Percentiles** are nearest-rank over every answer of a run. Runs are interleaved (run 1 of every scenario, then
  run 2, …) so that a change in the machine's load touches every scenario alike. A ratio to the baseline or a
  difference from the direct sandbox call is taken run by run, against the other scenario's run of the same
  round, and then given as median (min–max) like any other figure. Before run 1, one uncounted
  warm-up pass loads every server on every target and call it will be measured on, so that run 1 measures
  compiled code, as a long-running deployment runs, not V8 compiling it.
- **Bridge settings.** One user (alice) stands for all clients, so per-user limits that protect a shared
  deployment are raised: rate limit at its maximum (1,000,000/min, still counted), 256 concurrent upstream calls,
  streams and sessions per user above what the run opens. \`LOG_LEVEL=info\` as in production, logs to /dev/null.
- **Shared state** (section 7): a second bridge with \`REDIS_URL\`, and Debian's redis-server (no persistence) on
  127.0.0.1, pinned with the servers (all its threads). The fresh bridge gets a warm-up three times as long as the
  throughput pass before its first run; the two bridges take turns going first from round to round.
- **Token validation** calls the bridge's own \`verify\` (src/auth) in the benchmark process: distinct fresh tokens
  (each an RS256 verification, then cached) and one cached token in a loop.
- **Idle memory**: a fresh bridge process per run and kind, started with \`--expose-gc\`; after warm-up (50 streams;
  for sessions as many sessions as are measured, because a session holds no connection and what the first
  thousands of requests grow in a fresh process is not held per session), a full collection, RSS from
  \`/proc/<pid>/status\`; then the streams or sessions are opened and held idle, another collection, RSS again.
  The growth divided by the count is the figure (kernel socket buffers are not in RSS).
- **Cold start**: one unmeasured start to fill the file cache, then each run spawns the entry point and polls
  \`/readyz\` every 5 ms; \`/readyz\` answers 200 only once the issuer's keys are fetched.
- **Noise**: the machine may be shared; compare ratios measured in one run, not absolute figures across runs.
  To tell whether a change makes the bridge cheaper, compare builds in one run: \`npm run bench:compare\` loads
  two or more builds or settings in turns and gives each one's CPU per call minus the first's, round by round.
`;
