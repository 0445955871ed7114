/**
 * `npm run bench`: starts the sandbox, the bridge, the pass-through baseline and a load generator as
 * separate processes, measures the six figures of the benchmark issue and what shared state in Redis
 * costs a call, prints the report and writes
 * it to docs/benchmarks.md (or `--out`). See `--help` and docs/benchmarks.md "Method".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { describeMachine } from './machine.js';
import { measureColdStart } from './measures/cold-start.js';
import { measureIdleMemory } from './measures/idle-memory.js';
import { measureSharedState, startRedisBridge } from './measures/shared-state.js';
import { measureThroughput } from './measures/throughput.js';
import { measureTokenValidation } from './measures/token-validation.js';
import { measureToolsListSize } from './measures/tools-list-size.js';
import { USAGE, readPlan } from './plan.js';
import { type Child, REPO_ROOT } from './processes/spawn.js';
import { type BenchReport, checkTargets, renderMarkdown } from './report.js';
import { placement, startBaseline, startBridge, startLoader, startSandbox } from './setup.js';

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const plan = readPlan(argv);
  const startedAt = performance.now();
  const machine = describeMachine();
  const placed = placement(plan.pin);
  progress(`${plan.quick ? 'quick' : 'full'} run, ${plan.runs} run(s) per figure; ${placed.description}`);
  /** Everything started, stopped at the end whatever happens (stopping twice is harmless). */
  const stoppers: Array<{ stop(): Promise<void> }> = [];
  const started = <T extends Child>(child: T): T => {
    stoppers.push(child);
    return child;
  };
  try {
    const sandbox = started(await startSandbox(placed));
    const [bridge, baseline, loader, redisBridge] = await Promise.all([
      startBridge(placed, sandbox.url).then(started),
      startBaseline(placed, sandbox.url).then(started),
      startLoader(placed).then(started),
      startRedisBridge(placed, sandbox.url).then((shared) => {
        if (shared) stoppers.push(shared);
        return shared;
      }),
    ]);
    const [token] = await sandbox.request<string[]>({ type: 'issue-tokens', sub: 'alice', count: 1 });
    progress(`sandbox ${sandbox.url}, bridge ${bridge.url}, baseline ${baseline.url}`);

    const toolsList = await measureToolsListSize(bridge.url, token!);
    const throughput = await measureThroughput(plan, loader, { bridge, sandbox, baseline }, token!, progress);
    progress('shared state in Redis');
    const sharedState = await measureSharedState(
      plan,
      loader,
      { memory: bridge, redis: redisBridge },
      token!,
      progress,
    );
    await redisBridge?.stop();
    await bridge.stop();
    await baseline.stop();
    progress('token validation');
    const tokens = await measureTokenValidation(plan, sandbox);
    progress(`idle memory (${plan.idleCount} streams and sessions per run)`);
    const memory = await measureIdleMemory(plan, placed, sandbox.url, loader, token!);
    progress('cold start');
    const coldStart = await measureColdStart(plan, placed, sandbox.url);

    const report: BenchReport = {
      plan,
      machine,
      loadAfter: loadavg(),
      placement: placed.description,
      seconds: (performance.now() - startedAt) / 1000,
      throughput,
      sharedState,
      tokens,
      memory,
      coldStart,
      toolsList,
    };
    const findingsFile = resolve(REPO_ROOT, 'bench/findings.md');
    const markdown = renderMarkdown(report, existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : '');
    const out = resolve(REPO_ROOT, plan.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, markdown);
    console.log(markdown);
    const missed = checkTargets(report).filter((check) => !check.met);
    progress(`wrote ${out}; ${missed.length === 0 ? 'every target met' : `${missed.length} target(s) missed`}`);
    return 0;
  } finally {
    await Promise.allSettled(stoppers.map((stopper) => stopper.stop()));
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
