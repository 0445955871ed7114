/**
 * `npm run bench:compare`: is a change faster? Loads two or more builds (or settings) of the bridge in
 * turns against one sandbox, placed as `npm run bench` places its servers, and prints the CPU each spends
 * per `tools/call list_companies`, round by round, with each variant's difference from the first taken
 * within the same round. Alternating keeps a change in the machine's load out of the comparison, which a
 * comparison of two benchmark reports minutes apart cannot do. See `--help`.
 */
import { freePort } from '../scripts/lib/net.js';
import {
  type BridgeTarget,
  type CompareOptions,
  COMPARE_USAGE,
  readCompareOptions,
  type Variant,
} from './compare/options.js';
import { renderComparison, type RoundResult, type TransportResults } from './compare/summary.js';
import type { LoadResult } from './load/jobs.js';
import { LIST_COMPANIES } from './load/protocol.js';
import { loadJob, loadWithCpu } from './measures/throughput.js';
import { type BuiltBridge, spawnBuiltBridge } from './processes/built-bridge.js';
import type { Child } from './processes/spawn.js';
import { bridgeEnv, placement, SERVER_NODE_FLAGS, startLoader, startSandbox } from './setup.js';

const READY_GIVE_UP_MS = 30_000;
const READY_POLL_MS = 20;
/**
 * Each measured run follows an unmeasured one of this length (or of the measured run's, when shorter) on the
 * same process, so that every measured run starts from a process that was just loaded, whatever it did
 * before: a process that sat idle while the others were loaded spends more on its first calls.
 */
const PRIME_MS = 1_000;

function progress(line: string): void {
  process.stderr.write(`[bench:compare] ${line}\n`);
}

interface Started {
  variant: Variant;
  /** The variant's processes; round r loads process (r - 1) mod their count. */
  bridges: BuiltBridge[];
}

/**
 * Starts `count` processes of every variant, one after another, in a snake order (A B C, then C B A, …):
 * a process started earlier may run differently, and this way no variant's processes are all started first.
 * Fills `started` as it goes, so that the caller can stop whatever did start when one cannot.
 */
async function startVariants(
  variants: Variant[],
  count: number,
  sandboxUrl: string,
  cpus: string | undefined,
  started: Started[],
): Promise<void> {
  started.push(...variants.map((variant) => ({ variant, bridges: [] as BuiltBridge[] })));
  for (let i = 0; i < count; i++) {
    for (const entry of i % 2 === 0 ? started : [...started].reverse()) {
      const env = { ...bridgeEnv(await freePort(), sandboxUrl), ...entry.variant.env };
      const bridge = spawnBuiltBridge({ args: [...SERVER_NODE_FLAGS, entry.variant.entry], env, cpus });
      entry.bridges.push(bridge);
      await bridge.ready(READY_GIVE_UP_MS, READY_POLL_MS);
    }
  }
}

/**
 * The measured rounds: in each, every transport, and on it every variant in turn (the order reversed every
 * other round, so that none always follows the same one); a variant's processes take turns from round to round.
 */
async function measureRounds(
  options: CompareOptions,
  started: Started[],
  /** Readies `bridge` for a measured run on `transport` and returns the run. */
  prepare: (transport: BridgeTarget, bridge: BuiltBridge) => Promise<() => Promise<LoadResult>>,
): Promise<TransportResults[]> {
  const results: TransportResults[] = options.transports.map((transport) => ({
    transport,
    variants: started.map(({ variant }) => ({ label: variant.label, rounds: [] as RoundResult[] })),
  }));
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? [...started.keys()] : [...started.keys()].reverse();
    for (const [t, transport] of options.transports.entries()) {
      for (const index of order) {
        const { bridges, variant } = started[index]!;
        const bridge = bridges[(round - 1) % bridges.length]!;
        const run = await prepare(transport, bridge);
        const { result, cpuUs } = await loadWithCpu({ bridge }, run);
        results[t]!.variants[index]!.rounds.push({
          cpuPerCallUs: cpuUs.bridge,
          requestsPerSecond: result.requestsPerSecond,
          errors: result.errors,
          ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
        });
        progress(
          `round ${round}/${options.rounds} ${transport} ${variant.label}: ${cpuUs.bridge.toFixed(0)} µs/call, ` +
            `${result.requestsPerSecond.toFixed(0)} req/s${result.errors ? `, ${result.errors} errors` : ''}`,
        );
      }
    }
  }
  return results;
}

async function compare(options: CompareOptions): Promise<string> {
  const placed = placement(options.pin);
  const where = placed.servers
    ? `taskset pins the sandbox and every variant to CPU ${placed.servers} and the load generator to CPU ${placed.loader}`
    : 'not pinned (--no-pin, fewer than 2 CPUs or no taskset)';
  progress(
    `${options.variants.length} variants, ${options.processes} processes each, ` +
      `${options.rounds} rounds of ${options.seconds} s; ${where}`,
  );
  const children: Child[] = [];
  const started: Started[] = [];
  try {
    const sandbox = await startSandbox(placed);
    children.push(sandbox);
    const loader = await startLoader(placed);
    children.push(loader);
    await startVariants(options.variants, options.processes, sandbox.url, placed.servers, started);
    const [token] = await sandbox.request<string[]>({ type: 'issue-tokens', sub: 'alice', count: 1 });
    const run = (transport: BridgeTarget, bridge: BuiltBridge, durationMs: number) =>
      loader.request<LoadResult>(
        loadJob({ target: transport, call: LIST_COMPANIES, concurrency: options.concurrency }, bridge.url, token!, {
          warmupMs: 0,
          durationMs,
          maxRequests: 1_000_000,
        }),
      );

    if (options.warmUpSeconds > 0) {
      for (const transport of options.transports) {
        for (const bridge of started.flatMap(({ bridges }) => bridges)) {
          await run(transport, bridge, options.warmUpSeconds * 1_000);
        }
      }
    }
    const results = await measureRounds(options, started, async (transport, bridge) => {
      await run(transport, bridge, Math.min(PRIME_MS, options.seconds * 1_000));
      return () => run(transport, bridge, options.seconds * 1_000);
    });
    const how =
      `${options.rounds} rounds of ${options.seconds} s per variant and transport, c=${options.concurrency}, ` +
      `variants in turns (reversed every other round), each variant's ${options.processes} processes in turns ` +
      `(two processes of one build can differ by tens of µs per call); each process loaded ` +
      `${options.warmUpSeconds} s per transport first, uncounted, and again for up to ${PRIME_MS / 1_000} s before each measured ` +
      `run; ${where}. CPU per call from /proc. ` +
      'A difference is taken within each round, then its median and min–max.';
    return renderComparison(results, how);
  } finally {
    for (const { bridges } of started) for (const bridge of bridges) bridge.stop();
    await Promise.allSettled(children.map((child) => child.stop()));
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(COMPARE_USAGE);
    return 0;
  }
  let options: CompareOptions;
  try {
    options = readCompareOptions(argv, process.cwd());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  console.log(await compare(options));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[bench:compare] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
