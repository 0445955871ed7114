/**
 * Measure 5: milliseconds from spawning the production entry point to the first 200 from
 * `/readyz` (which waits for the issuer's keys). The report says which entry point was timed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../plan.js';
import { spawnBuiltBridge } from '../processes/built-bridge.js';
import { REPO_ROOT } from '../processes/spawn.js';
import { freePort } from '../../scripts/lib/net.js';
import { bridgeEnv, type Placement } from '../setup.js';
import { type Spread, spread } from '../stats.js';

export interface ColdStart {
  ms: Spread;
  /** The command that was timed, and why that one. */
  command: string;
}

const GIVE_UP_MS = 30_000;
const POLL_MS = 5;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Where the benchmark builds the current sources when dist/ is stale (node_modules/.cache is ignored by git). */
const BENCH_BUILD = join(REPO_ROOT, 'node_modules/.cache/neonpanel-bench/build');

/**
 * The entry point to time. The production build, as `npm start` runs it: dist/ when it is current,
 * else the current sources built the same way (`scripts/build.ts --outdir`) into BENCH_BUILD (dist/ is
 * left alone). A quick run does not build and times the TypeScript source under tsx instead, which is
 * much slower to start.
 */
export function entryPoint(quick: boolean): { args: string[]; command: string } {
  const sourcesChanged = newestMtime(join(REPO_ROOT, 'src'));
  const dist = join(REPO_ROOT, 'dist/src/main.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= sourcesChanged) {
    return { args: [dist], command: '`node dist/src/main.js` (the production build; dist/ is current)' };
  }
  const why = existsSync(dist) ? 'dist/ is older than src/' : 'dist/ is not built';
  if (quick) {
    return {
      args: ['--import', 'tsx', join(REPO_ROOT, 'src/main.ts')],
      command: `\`node --import tsx src/main.ts\` (TypeScript under tsx: ${why} and a quick run does not build)`,
    };
  }
  const built = join(BENCH_BUILD, 'src/main.js');
  const build = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts/build.ts'), '--outdir', BENCH_BUILD],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (build.status !== 0 || !existsSync(built)) {
    throw new Error(`cold start: building the sources into ${BENCH_BUILD} failed (${why}): ${build.stderr}`);
  }
  return {
    args: [built],
    command: `\`node src/main.js\` built from the current sources (scripts/build.ts, as \`npm run build\`) because ${why}`,
  };
}

async function timeOnce(args: string[], env: Record<string, string>, placed: Placement): Promise<number> {
  const startedAt = performance.now();
  const bridge = spawnBuiltBridge({ args, env, cpus: placed.servers });
  try {
    await bridge.ready(GIVE_UP_MS, POLL_MS);
    return performance.now() - startedAt;
  } catch (error) {
    throw new Error(`cold start: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    bridge.stop();
  }
}

export async function measureColdStart(plan: Plan, placed: Placement, sandboxUrl: string): Promise<ColdStart> {
  const { args, command } = entryPoint(plan.quick);
  const times: number[] = [];
  // One unmeasured start first, so the file cache holds node_modules like it would on a deployed host.
  for (let run = 0; run <= plan.runs; run++) {
    const ms = await timeOnce(args, bridgeEnv(await freePort(), sandboxUrl), placed);
    if (run > 0) times.push(ms);
  }
  return { ms: spread(times), command };
}
