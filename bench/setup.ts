/**
 * The processes of one benchmark run and how the 2 cores are shared between them: the sandbox, the
 * bridge, the baseline, and for section 7 a second bridge and its redis-server, each run in their own
 * process pinned to CPU 0; the load generator runs in its own process pinned to CPU 1. The benchmark
 * process itself only coordinates.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { freePort } from '../scripts/lib/net.js';
import { REDIS_SERVER, startRedis } from '../scripts/lib/redis.js';
import { Child, processCpuSeconds, tasksetAvailable } from './processes/spawn.js';

const SERVER_CHILD = 'bench/processes/server-child.ts';
const LOADER_CHILD = 'bench/load/loader.ts';

/**
 * Node flags of every server process (sandbox, bridge, baseline). They share CPU 0, and V8's memory
 * reducer runs a full collection a few seconds after a process's allocation rate drops, that is just
 * after its own scenario, in the middle of the next scenario of another process: the direct sandbox
 * call's p99 at a steady rate went from 2 to 18–43 ms with it. Under load it never runs, so turning it
 * off changes no process's own figures, only stops them leaking into each other's.
 */
export const SERVER_NODE_FLAGS = ['--no-memory-reducer'];

/** CPU lists for servers and load generator; both undefined when not pinning. */
export interface Placement {
  servers: string | undefined;
  loader: string | undefined;
  /** One sentence for the report. */
  description: string;
}

export function placement(pin: boolean): Placement {
  const cpus = availableParallelism();
  if (pin && cpus >= 2 && tasksetAvailable()) {
    return {
      servers: '0',
      loader: '1',
      description:
        'taskset pins the sandbox, the bridge, the baseline (each its own process; for section 7 also a second bridge and redis-server) to CPU 0 and the load generator (its own process) to CPU 1',
    };
  }
  const why = !pin ? '--no-pin' : cpus < 2 ? `only ${cpus} CPU` : 'taskset is not available';
  return {
    servers: undefined,
    loader: undefined,
    description: `not pinned (${why}): sandbox, bridge, baseline, load generator (and for section 7 a second bridge and redis-server) are separate processes the OS schedules`,
  };
}

/**
 * The bridge's environment for the benchmark. Limits that exist to protect a shared deployment
 * from one user are raised, because here one user (alice) stands for all the benchmark's clients:
 * the per-user rate limit (kept on at its maximum so its counting is still paid), concurrent upstream
 * calls, and streams/sessions per user.
 */
export function bridgeEnv(port: number, sandboxUrl: string, idleCount = 0): Record<string, string> {
  const streams = String(Math.max(1_000, idleCount + 200));
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    MCP_PUBLIC_URL: `http://127.0.0.1:${port}`,
    NEONPANEL_ISSUER: sandboxUrl,
    NEONPANEL_API_URL: sandboxUrl,
    LOG_LEVEL: 'info',
    MCP_RATE_LIMIT_PER_USER: '1000000',
    MCP_MAX_CONCURRENT_UPSTREAM_PER_USER: '256',
    MCP_MAX_SSE_STREAMS_PER_USER: streams,
    MCP_MAX_SSE_STREAMS: streams,
    MCP_MAX_SESSIONS_PER_USER: streams,
    MCP_MAX_SESSIONS: streams,
  };
}

export function startSandbox(placed: Placement): Promise<Child> {
  return Child.start('sandbox', SERVER_CHILD, ['sandbox'], { cpus: placed.servers, nodeFlags: SERVER_NODE_FLAGS });
}

export async function startBridge(
  placed: Placement,
  sandboxUrl: string,
  options: { idleCount?: number; nodeFlags?: string[]; name?: string; env?: Record<string, string> } = {},
): Promise<Child> {
  const port = await freePort();
  return Child.start(options.name ?? 'bridge', SERVER_CHILD, ['bridge'], {
    cpus: placed.servers,
    env: { ...bridgeEnv(port, sandboxUrl, options.idleCount), ...options.env },
    nodeFlags: [...SERVER_NODE_FLAGS, ...(options.nodeFlags ?? [])],
  });
}

export function startBaseline(placed: Placement, sandboxUrl: string): Promise<Child> {
  return Child.start('baseline', SERVER_CHILD, ['baseline'], {
    cpus: placed.servers,
    nodeFlags: SERVER_NODE_FLAGS,
    env: {
      NEONPANEL_ISSUER: sandboxUrl,
      NEONPANEL_JWKS_URI: `${sandboxUrl}/.well-known/jwks.json`,
      NEONPANEL_API_URL: sandboxUrl,
    },
  });
}

/** A redis-server for the benchmark, with the CPU time it has used. */
export interface BenchRedis {
  url: string;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Debian's redis-server (no persistence) on a free loopback port, pinned with the servers: it serves the
 * bridge, so its CPU is part of what a call costs on CPU 0. Undefined when redis-server is not installed.
 */
export async function startBenchRedis(placed: Placement): Promise<BenchRedis | undefined> {
  if (!existsSync(REDIS_SERVER)) return undefined;
  const redis = await startRedis();
  if (placed.servers) {
    try {
      // -a: every thread of the server (it has background I/O threads), not only the main one.
      execFileSync('taskset', ['-a', '-p', '-c', placed.servers, String(redis.pid)], { stdio: 'ignore' });
    } catch (error) {
      await redis.stop(); // not left running when it cannot be placed
      throw error;
    }
  }
  return { url: redis.url, cpuSeconds: () => processCpuSeconds(redis.pid), stop: () => redis.stop() };
}

export function startLoader(placed: Placement): Promise<Child> {
  return Child.start('load generator', LOADER_CHILD, [], { cpus: placed.loader });
}
