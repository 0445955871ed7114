/**
 * Measure 4: how much resident memory one idle legacy SSE stream, and one idle Streamable HTTP
 * session, costs the bridge: RSS from /proc/<pid>/status of a bridge process started with
 * --expose-gc (a full collection precedes each reading), with `idleCount` of each opened from the
 * load generator.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenIdleJob } from '../load/jobs.js';
import type { Plan } from '../plan.js';
import type { MemoryReply } from '../processes/server-child.js';
import type { Child } from '../processes/spawn.js';
import { type Placement, startBridge } from '../setup.js';
import { type Spread, spread } from '../stats.js';

export interface IdleMemory {
  /** Streams or sessions opened per run (may be fewer than planned when file descriptors are short). */
  count: number;
  rssBytesPerItem: Spread;
  heapBytesPerItem: Spread;
}

export interface IdleMemoryResults {
  sse: IdleMemory;
  session: IdleMemory;
  /** Why `count` is lower than the plan, when it is. */
  note?: string;
}

/** The soft limit on open files of this process (children inherit it), from /proc. */
function openFilesLimit(): number {
  const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return line?.[1] === undefined || line[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(line[1]);
}

const WARM_UP_ITEMS = 50;

interface Memory {
  rss: number;
  heapUsed: number;
}

/** RSS readings closer than this count as settled. */
const SETTLED_BYTES = 256 * 1024;

/**
 * The bridge's memory once it has stopped moving: a full collection, then RSS read until two readings
 * in a row agree (V8 and the allocator hand freed pages back to the system over a few hundred
 * milliseconds; one early reading can sit megabytes above where RSS comes to rest).
 */
async function settledMemory(bridge: Child): Promise<Memory> {
  let heapUsed = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (let reading = 0; reading < 12; reading++) {
    await sleep(250);
    ({ heapUsed } = await bridge.request<MemoryReply>({ type: 'memory' }));
    const rss = bridge.rssBytes();
    if (Math.abs(rss - previous) < SETTLED_BYTES) return { rss, heapUsed };
    previous = rss;
  }
  return { rss: previous, heapUsed };
}

/**
 * Items opened before the first reading. Streams: a few, to warm the code paths (each holds a socket
 * on both sides, so the open-files limit bounds them). Sessions: as many as are measured. A session
 * holds no connection, only a record; opening one is two requests, and the first 10,000 requests a
 * fresh process serves grow its heap and allocator to their working size whether or not anything is
 * kept (seen as 3 to 18 KB "per session" from one run to the next). After as many sessions again, the
 * growth measured is what each further session holds.
 */
function warmUpItems(what: OpenIdleJob['what'], count: number): number {
  return what === 'sse' ? WARM_UP_ITEMS : count;
}

/**
 * One run for one kind on a fresh bridge: streams or sessions to warm it up (`warmUpItems`), a full
 * collection and the RSS; then `count` more held idle, another collection, and the RSS again.
 */
async function measureOnce(
  what: OpenIdleJob['what'],
  count: number,
  placed: Placement,
  sandboxUrl: string,
  loader: Child,
  token: string,
) {
  const bridge = await startBridge(placed, sandboxUrl, {
    name: `bridge (idle ${what})`,
    idleCount: count + warmUpItems(what, count),
    nodeFlags: ['--expose-gc'],
  });
  const open = (n: number) =>
    loader.request({ kind: 'open-idle', origin: bridge.url, what, token, count: n } satisfies OpenIdleJob);
  try {
    await open(warmUpItems(what, count));
    const before = await settledMemory(bridge);
    await open(count);
    const after = await settledMemory(bridge);
    return { rss: (after.rss - before.rss) / count, heap: (after.heapUsed - before.heapUsed) / count };
  } finally {
    await loader.request({ kind: 'close-idle' });
    await bridge.stop();
  }
}

export async function measureIdleMemory(
  plan: Plan,
  placed: Placement,
  sandboxUrl: string,
  loader: Child,
  token: string,
): Promise<IdleMemoryResults> {
  // Each idle SSE stream holds one socket in the bridge and one in the load generator.
  const spare = 500;
  const count = Math.max(1, Math.min(plan.idleCount, openFilesLimit() - WARM_UP_ITEMS - spare));
  const results = {
    sse: { rss: [] as number[], heap: [] as number[] },
    session: { rss: [] as number[], heap: [] as number[] },
  };
  for (let run = 0; run < plan.runs; run++) {
    for (const what of ['sse', 'session'] as const) {
      const { rss, heap } = await measureOnce(what, count, placed, sandboxUrl, loader, token);
      results[what].rss.push(rss);
      results[what].heap.push(heap);
    }
  }
  const summary = (r: { rss: number[]; heap: number[] }): IdleMemory => ({
    count,
    rssBytesPerItem: spread(r.rss),
    heapBytesPerItem: spread(r.heap),
  });
  return {
    sse: summary(results.sse),
    session: summary(results.session),
    ...(count < plan.idleCount
      ? {
          note: `opened ${count} instead of ${plan.idleCount}: the open-files limit (ulimit -n) is ${openFilesLimit()}`,
        }
      : {}),
  };
}
