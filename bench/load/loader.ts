/**
 * The load generator, run as its own child process so that it never shares an event loop with the
 * servers it measures. It answers jobs (jobs.ts) over IPC. HTTP goes through undici pools on
 * 127.0.0.1: one keep-alive connection per worker, no pipelining.
 */
import { Pool } from 'undici';
import { percentile } from '../stats.js';
import { serveParent } from '../processes/ipc.js';
import type { Job, JobResult, LoadJob, LoadResult, OpenIdleJob } from './jobs.js';
import {
  INITIALIZED_NOTIFICATION,
  REVISION_2025,
  SSE_REVISION,
  callMessage,
  initializeMessage,
  jsonRpcFromBody,
  requestFor,
  rpcFailure,
  streamableHeaders,
  type HttpRequestSpec,
} from './protocol.js';
import { openSseStream, type SseStream } from './sse-stream.js';

/** One simulated client: sends a call and resolves with why it failed, or undefined on success. */
interface Caller {
  call(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** A call that takes longer than this counts as failed, so a hung server ends the run instead of stalling it. */
const ANSWER_TIMEOUT_MS = 15_000;

async function send(pool: Pool, spec: HttpRequestSpec) {
  const response = await pool.request({ ...spec, headersTimeout: ANSWER_TIMEOUT_MS, bodyTimeout: ANSWER_TIMEOUT_MS });
  const body = await response.body.text();
  const contentType = response.headers['content-type'];
  return { status: response.statusCode, body, contentType: typeof contentType === 'string' ? contentType : undefined };
}

function describeStatus(status: number, body: string): string {
  return `HTTP ${status}: ${body.slice(0, 200)}`;
}

async function httpCaller(job: LoadJob, pool: Pool): Promise<Caller> {
  const { target, call, token } = job;
  if (target === 'legacy-sse') throw new Error('legacy-sse is not a request/response target');
  let sessionId: string | undefined;
  if (target === 'streamable-session') sessionId = await openSession(pool, token);
  const spec = requestFor(target, call, token, sessionId);
  return {
    async call() {
      const answer = await send(pool, spec);
      if (answer.status !== 200) return describeStatus(answer.status, answer.body);
      if (target === 'sandbox-direct') return JSON.parse(answer.body) ? undefined : 'empty API answer';
      return rpcFailure(call, jsonRpcFromBody(answer.contentType, answer.body));
    },
    async close() {
      if (sessionId)
        await send(pool, {
          method: 'DELETE',
          path: '/mcp',
          headers: streamableHeaders(token, REVISION_2025, sessionId),
        });
    },
  };
}

/** A 2025-11-25 Streamable HTTP session: initialize, then the initialized notification. */
async function openSession(pool: Pool, token: string): Promise<string> {
  const headers = streamableHeaders(token, REVISION_2025);
  const init = await pool.request({
    method: 'POST',
    path: '/mcp',
    headers,
    body: initializeMessage(0, REVISION_2025),
  });
  const body = await init.body.text();
  const sessionId = init.headers['mcp-session-id'];
  if (init.statusCode !== 200 || typeof sessionId !== 'string') {
    throw new Error(`initialize did not open a session (${describeStatus(init.statusCode, body)})`);
  }
  const notified = await send(pool, {
    method: 'POST',
    path: '/mcp',
    headers: streamableHeaders(token, REVISION_2025, sessionId),
    body: INITIALIZED_NOTIFICATION,
  });
  if (notified.status !== 202)
    throw new Error(`notifications/initialized: ${describeStatus(notified.status, notified.body)}`);
  return sessionId;
}

/**
 * A legacy HTTP+SSE client: one stream, POSTs to the endpoint it announced, each answer matched by
 * JSON-RPC id on the stream. The time of a call runs from the POST to its answer on the stream.
 */
async function sseCaller(job: LoadJob, posts: Pool, streams: Pool): Promise<Caller> {
  const authorization = `Bearer ${job.token}`;
  const stream = await openSseStream(streams, '/sse', { authorization });
  const endpoint = new URL((await stream.first('endpoint')).data, job.origin);
  const path = endpoint.pathname + endpoint.search;
  const pending = new Map<number, (message: Record<string, unknown>) => void>();
  stream.onMessage = (data) => {
    const message = JSON.parse(data) as Record<string, unknown>;
    const id = message['id'];
    if (typeof id === 'number') pending.get(id)?.(message);
  };
  let nextId = 0;
  const headers = { authorization, 'content-type': 'application/json' };

  async function exchange(body: (id: number) => string): Promise<Record<string, unknown> | string> {
    const id = nextId++;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<Record<string, unknown> | string>((resolve) => {
      pending.set(id, resolve);
      timer = setTimeout(() => resolve(`no answer on the stream within ${ANSWER_TIMEOUT_MS} ms`), ANSWER_TIMEOUT_MS);
    });
    try {
      const posted = await send(posts, { method: 'POST', path, headers, body: body(id) });
      if (posted.status !== 202) return describeStatus(posted.status, posted.body);
      return await answer;
    } finally {
      clearTimeout(timer);
      pending.delete(id);
    }
  }

  const initialized = await exchange((id) => initializeMessage(id, SSE_REVISION));
  if (typeof initialized === 'string') throw new Error(`legacy SSE initialize: ${initialized}`);
  const notified = await send(posts, { method: 'POST', path, headers, body: INITIALIZED_NOTIFICATION });
  if (notified.status !== 202)
    throw new Error(`legacy SSE initialized: ${describeStatus(notified.status, notified.body)}`);
  return {
    async call() {
      const answer = await exchange((id) => callMessage(job.call, id));
      return typeof answer === 'string' ? answer : rpcFailure(job.call, answer);
    },
    async close() {
      stream.close();
    },
  };
}

/** Counts answers completed inside the measuring window and keeps their latencies. */
class Window {
  private readonly latencies: number[] = [];
  private errors = 0;
  private firstError: string | undefined;
  private readonly measureFrom: number;
  private readonly measureUntil: number;
  private lastCounted: number;
  /** Every call answered during the job, counted or not (for CPU time per call). */
  private calls = 0;

  constructor(private readonly job: LoadJob) {
    this.measureFrom = performance.now() + job.warmupMs;
    this.measureUntil = this.measureFrom + job.durationMs;
    this.lastCounted = this.measureFrom;
  }

  get done(): boolean {
    return performance.now() >= this.measureUntil || this.latencies.length + this.errors >= this.job.maxRequests;
  }

  record(startedAt: number, endedAt: number, failure: string | undefined): void {
    this.calls++;
    if (endedAt < this.measureFrom || endedAt > this.measureUntil) return;
    this.lastCounted = endedAt;
    if (failure === undefined) {
      this.latencies.push(endedAt - startedAt);
      return;
    }
    this.errors++;
    this.firstError ??= failure;
  }

  result(): LoadResult {
    const sorted = Float64Array.from(this.latencies).sort();
    const seconds = (Math.min(this.lastCounted, this.measureUntil) - this.measureFrom) / 1000;
    const total = sorted.reduce((sum, value) => sum + value, 0);
    return {
      kind: 'load',
      requests: sorted.length,
      errors: this.errors,
      calls: this.calls,
      ...(this.firstError === undefined ? {} : { firstError: this.firstError }),
      seconds,
      requestsPerSecond: seconds > 0 ? sorted.length / seconds : 0,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      meanMs: sorted.length > 0 ? total / sorted.length : Number.NaN,
    };
  }
}

/**
 * Start times for an open-loop load, `1000 / rate` ms apart: each worker takes the next one and waits for it.
 * When every worker is busy, the start times fall behind and calls go out as workers free up, so the
 * achieved rate (the result's req/s) shows a server that could not keep up.
 */
class Pacer {
  private next = performance.now();

  constructor(private readonly intervalMs: number) {}

  async slot(): Promise<void> {
    const at = this.next;
    this.next += this.intervalMs;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const pool = new Pool(job.origin, { connections: job.concurrency, pipelining: 1 });
  const streams = new Pool(job.origin, { connections: job.concurrency, pipelining: 1 });
  const callers: Caller[] = [];
  try {
    for (let i = 0; i < job.concurrency; i++) {
      callers.push(job.target === 'legacy-sse' ? await sseCaller(job, pool, streams) : await httpCaller(job, pool));
    }
    const window = new Window(job);
    const pacer = job.ratePerSecond === undefined ? undefined : new Pacer(1000 / job.ratePerSecond);
    await Promise.all(
      callers.map(async (caller) => {
        while (!window.done) {
          if (pacer) await pacer.slot();
          if (window.done) break;
          const startedAt = performance.now();
          let failure: string | undefined;
          try {
            failure = await caller.call();
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
          }
          window.record(startedAt, performance.now(), failure);
        }
      }),
    );
    return window.result();
  } finally {
    await Promise.allSettled(callers.map((caller) => caller.close()));
    await Promise.allSettled([pool.destroy(), streams.destroy()]);
  }
}

/** Streams and sessions held open by `open-idle` jobs, released by `close-idle`. */
let held: { streams: SseStream[]; pools: Pool[] } = { streams: [], pools: [] };

/** At most this many streams or sessions are being opened at once, so the server is not flooded. */
const OPEN_PARALLELISM = 32;

async function openIdle(job: OpenIdleJob): Promise<number> {
  const authorization = `Bearer ${job.token}`;
  const pool = new Pool(job.origin, {
    connections: job.what === 'sse' ? job.count + OPEN_PARALLELISM : OPEN_PARALLELISM,
    pipelining: 1,
  });
  held.pools.push(pool);
  const openOne =
    job.what === 'sse'
      ? async () => {
          const stream = await openSseStream(pool, '/sse', { authorization });
          held.streams.push(stream);
          await stream.first('endpoint');
        }
      : async () => {
          await openSession(pool, job.token);
        };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(OPEN_PARALLELISM, job.count) }, async () => {
      while (next < job.count) {
        next++;
        await openOne();
      }
    }),
  );
  return job.count;
}

/** Closes the held streams and connections. Sessions are left to the server: the benchmark stops it next. */
async function closeIdle(): Promise<void> {
  const { streams, pools } = held;
  held = { streams: [], pools: [] };
  for (const stream of streams) stream.close();
  await Promise.allSettled(pools.map((pool) => pool.destroy()));
}

async function run(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case 'load':
      return runLoad(job);
    case 'open-idle':
      return { kind: 'open-idle', opened: await openIdle(job) };
    case 'close-idle':
      await closeIdle();
      return { kind: 'close-idle' };
  }
}

serveParent<Job>({ type: 'ready' }, run);
