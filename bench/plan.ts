/** Command-line options of `npm run bench` and the sizes of a full and a quick run. */
import { parseArgs } from 'node:util';

/** How much the benchmark does. Every figure is measured `runs` times; the report shows median, min and max. */
export interface Plan {
  quick: boolean;
  runs: number;
  /**
   * Before the first run, each server is loaded this long on every target and call at c=64, uncounted, so
   * that run 1 does not measure V8 compiling the code (see `warmUp` in bench/measures/throughput.ts).
   */
  warmUpPassMs: number;
  /** Per load run: answers in the warm-up are not counted; the run ends after the duration or maxRequests. */
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
  /** Idle legacy SSE streams and idle Streamable HTTP sessions opened for the memory figure. */
  idleCount: number;
  /** Distinct new tokens verified per run, and verifications of one cached token per run. */
  newTokens: number;
  cachedVerifications: number;
  /** Where the markdown report goes. */
  out: string;
  /** Pin the servers to CPU 0 and the load generator to CPU 1 with taskset (when there are 2+ CPUs). */
  pin: boolean;
  /** Write V8 CPU profiles of the bridge and the baseline under load (c=64, first run) into this folder. */
  profileDir: string | undefined;
}

export const USAGE = `usage: npm run bench -- [--quick] [--out FILE] [--runs N] [--no-pin] [--profile DIR]
  --quick        a short run for local checks (under a minute; 1 run, short loads, 200 idle streams)
  --out FILE     write the markdown report here instead of docs/benchmarks.md
  --runs N       measure every figure N times (default 3; the report gives median, min and max)
  --no-pin       do not pin servers and load generator to separate CPUs with taskset
  --profile DIR  write a CPU profile (.cpuprofile) of the server under test for each c=64 scenario
                 of the first run into DIR, for finding the cause of a missed target`;

/** Reads the options; throws with the usage text on anything unknown or malformed. */
export function readPlan(argv: string[]): Plan {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const quick = values.quick ?? false;
  const runs = values.runs === undefined ? (quick ? 1 : 3) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
    throw new Error(`--runs must be a whole number from 1 to 20, got "${values.runs}"\n${USAGE}`);
  }
  return {
    quick,
    runs,
    warmUpPassMs: quick ? 100 : 2_000,
    warmupMs: quick ? 300 : 700,
    durationMs: quick ? 500 : 3_000,
    maxRequests: quick ? 20_000 : 200_000,
    idleCount: quick ? 200 : 5_000,
    newTokens: quick ? 100 : 1_000,
    cachedVerifications: quick ? 20_000 : 300_000,
    out: values.out ?? 'docs/benchmarks.md',
    pin: !(values['no-pin'] ?? false),
    profileDir: values.profile,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      out: { type: 'string' },
      runs: { type: 'string' },
      'no-pin': { type: 'boolean' },
      profile: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
}
