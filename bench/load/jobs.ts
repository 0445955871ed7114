/** The messages between the benchmark and its load-generator child process. */
import type { McpCall, Target } from './protocol.js';

/**
 * Load from `concurrency` workers. Closed loop by default: each worker sends its next call as soon as the
 * last one is answered. With `ratePerSecond`, open loop: calls start on a fixed schedule, each on a free worker.
 */
export interface LoadJob {
  kind: 'load';
  origin: string;
  target: Target;
  call: McpCall;
  token: string;
  concurrency: number;
  /** Answers in the first `warmupMs` are not counted (connections, sessions and JIT warm up). */
  warmupMs: number;
  durationMs: number;
  /** The run also ends after this many counted answers, whichever comes first. */
  maxRequests: number;
  /** Open loop: this many calls start per second, evenly spaced (a call waits when every worker is busy). */
  ratePerSecond?: number;
}

/** Opens `count` idle legacy SSE streams or Streamable HTTP sessions and keeps them until `close-idle`. */
export interface OpenIdleJob {
  kind: 'open-idle';
  origin: string;
  what: 'sse' | 'session';
  token: string;
  count: number;
}

/** Closes the streams and connections `open-idle` jobs opened (sessions are left to expire). */
export interface CloseIdleJob {
  kind: 'close-idle';
}

export type Job = LoadJob | OpenIdleJob | CloseIdleJob;

export interface LoadResult {
  kind: 'load';
  /** Successful answers counted in the measuring window. */
  requests: number;
  /** Failed answers (HTTP status, JSON-RPC error, tool error, transport error) in the window. */
  errors: number;
  /** Every call answered during the job, warm-up included. */
  calls: number;
  firstError?: string;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface OpenIdleResult {
  kind: 'open-idle';
  opened: number;
}

export interface CloseIdleResult {
  kind: 'close-idle';
}

export type JobResult = LoadResult | OpenIdleResult | CloseIdleResult;
