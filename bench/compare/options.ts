/** Command-line options of `npm run bench:compare`. */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BUNDLED_API_DOCUMENT, findPackageRoot } from '../../src/openapi/package-root.js';
import { BRIDGE_TRANSPORTS } from '../measures/throughput.js';

/** One bridge to load: a built entry point and the environment it runs with on top of the benchmark's. */
export interface Variant {
  /** As given on the command line: how the output names it. */
  label: string;
  /** Absolute path of the entry point. */
  entry: string;
  env: Record<string, string>;
}

export interface CompareOptions {
  variants: Variant[];
  transports: BridgeTarget[];
  rounds: number;
  /** Length of each measured load run. */
  seconds: number;
  /** How long each variant is loaded on each transport before the first round, uncounted. */
  warmUpSeconds: number;
  concurrency: number;
  /** Processes started per variant, loaded in turns from round to round. */
  processes: number;
  pin: boolean;
}

export type BridgeTarget = (typeof BRIDGE_TRANSPORTS)[number];

export const COMPARE_USAGE = `usage: npm run bench:compare -- [options] VARIANT VARIANT [VARIANT ...]
  Loads two or more builds or settings of the bridge in turns against one sandbox and prints the CPU
  each spends per tools/call, round by round, and each variant's difference from the first. One build
  compared with itself has shown differences of up to about 60 µs per call: below that, repeat the run
  with the variants in the other order before believing it.
  VARIANT         a built entry point, then any environment settings, as one argument:
                  dist/src/main.js   or   'dist/src/main.js LOG_LEVEL=warn'
                  (build another commit with: npm run build -- --outdir tmp/NAME; its entry is
                  tmp/NAME/src/main.js; tmp/ inside the repository is ignored by git)
  --transport T   streamable-stateless (default), streamable-2026, streamable-session, messages-direct,
                  legacy-sse; repeat it or give a comma-separated list
  --rounds N      measured rounds per variant and transport (default 6, 2 to 50)
  --seconds S     length of each measured load run (default 4, 0.5 to 60)
  --warm-up S     each variant is loaded this long on each transport before the first round,
                  uncounted, so that the rounds measure compiled code (default 10, 0 to 120)
  --concurrency C calls in flight (default 64, 1 to 1024)
  --processes P   processes per variant, loaded in turns from round to round (default 2, 1 to 8): two
                  processes of one build can differ by tens of µs per call, so one process per variant
                  can show a difference that is only the processes'
  --no-pin        do not pin the servers to CPU 0 and the load generator to CPU 1`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function fail(problem: string): never {
  throw new Error(`${problem}\n${COMPARE_USAGE}`);
}

/** A number option within bounds, or the default when absent. */
function bounded(name: string, text: string | undefined, fallback: number, min: number, max: number, whole: boolean) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    fail(`--${name} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** Reads one VARIANT argument: an entry point that exists, then NAME=VALUE settings. */
export function readVariant(argument: string, cwd: string): Variant {
  const [entryText, ...settings] = argument.trim().split(/\s+/);
  if (!entryText) fail('a VARIANT is empty: give a built entry point such as dist/src/main.js');
  const entry = resolve(cwd, entryText);
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    fail(`no entry point at ${entry} (from "${argument}"): run npm run build, or build with --outdir DIR`);
  }
  // A bundle reads the API document from its checkout at start: one built outside a checkout cannot start.
  if (!findPackageRoot(dirname(entry))) {
    fail(
      `${entry} is not inside a checkout (no package.json with ${BUNDLED_API_DOCUMENT} above it): ` +
        'build into a folder inside the repository, such as tmp/ (npm run build -- --outdir tmp/base)',
    );
  }
  const env: Record<string, string> = {};
  for (const setting of settings) {
    const equals = setting.indexOf('=');
    const name = setting.slice(0, equals);
    if (equals < 1 || !ENV_NAME.test(name)) {
      fail(`"${setting}" in "${argument}" is not an environment setting NAME=VALUE`);
    }
    env[name] = setting.slice(equals + 1);
  }
  return { label: argument.trim(), entry, env };
}

function readTransports(values: string[] | undefined): BridgeTarget[] {
  const names = (values ?? ['streamable-stateless']).flatMap((value) => value.split(',')).map((name) => name.trim());
  const unknown = names.filter((name) => !(BRIDGE_TRANSPORTS as readonly string[]).includes(name));
  if (unknown.length > 0) fail(`unknown --transport ${unknown.map((name) => `"${name}"`).join(', ')}`);
  return [...new Set(names)] as BridgeTarget[];
}

/** Reads the options; throws with the problem and the usage text on anything unknown or malformed. */
export function readCompareOptions(argv: string[], cwd: string): CompareOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length < 2) fail(`give at least two variants to compare, got ${positionals.length}`);
  const variants = positionals.map((argument) => readVariant(argument, cwd));
  const labels = variants.map((variant) => variant.label);
  const repeated = labels.find((label, i) => labels.indexOf(label) !== i);
  if (repeated) fail(`the variant "${repeated}" is given twice`);
  return {
    variants,
    transports: readTransports(values.transport),
    rounds: bounded('rounds', values.rounds, 6, 2, 50, true),
    seconds: bounded('seconds', values.seconds, 4, 0.5, 60, false),
    warmUpSeconds: bounded('warm-up', values['warm-up'], 10, 0, 120, false),
    concurrency: bounded('concurrency', values.concurrency, 64, 1, 1024, true),
    processes: bounded('processes', values.processes, 2, 1, 8, true),
    pin: !values['no-pin'],
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      transport: { type: 'string', multiple: true },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      'warm-up': { type: 'string' },
      concurrency: { type: 'string' },
      processes: { type: 'string' },
      'no-pin': { type: 'boolean' },
    },
  });
}
