/**
 * What reached the sandbox's API: one entry per request (never the token), and a count of writes
 * per idempotency key so tests can prove no write was sent twice.
 */

import { createHash } from 'node:crypto';

/** One API request as the sandbox received it. */
export interface RequestLogEntry {
  /** Milliseconds since the epoch. */
  at: number;
  method: string;
  /** The path exactly as received, still percent-encoded. */
  path: string;
  /** The raw query string without `?` ('' when none). */
  query: string;
  /** Inbound `X-Request-Id`, or the one the sandbox generated. */
  requestId: string;
  /** The API operation the path matched, when one did. */
  operationId?: string;
  /** `sub` of a valid bearer token. */
  user?: string;
  /** Response status (0 when the connection was reset or hung). */
  status: number;
  /** The fault injected, if any. */
  fault?: string;
}

/** Read access to the request log. */
export interface SandboxRequestLog {
  /** Entries kept, oldest first (bounded by `requestLogLimit`). */
  entries(): readonly RequestLogEntry[];
  /** Every API request ever logged, including dropped ones. */
  readonly total: number;
  /** Write requests (POST/PUT/PATCH/DELETE) per idempotency key. */
  writeCounts(): ReadonlyMap<string, number>;
  /** Idempotency keys seen more than once: a write that was sent twice. */
  duplicateWrites(): Array<{ key: string; count: number }>;
  /** Forgets everything. */
  clear(): void;
}

/**
 * The key a write is counted under: `Idempotency-Key` when sent, else the inbound `X-Request-Id`,
 * else a hash of method, path and body.
 */
export function writeKey(parts: {
  idempotencyKey?: string;
  inboundRequestId?: string;
  method: string;
  path: string;
  body: Buffer | string;
}): string {
  if (parts.idempotencyKey) return `idempotency-key:${parts.idempotencyKey}`;
  if (parts.inboundRequestId) return `x-request-id:${parts.inboundRequestId}`;
  const hash = createHash('sha256').update(`${parts.method} ${parts.path}\n`).update(parts.body).digest('hex');
  return `body:${hash.slice(0, 32)}`;
}

/** The writable log the API router fills. */
export class RequestLog implements SandboxRequestLog {
  private kept: RequestLogEntry[] = [];
  private writes = new Map<string, number>();
  total = 0;

  constructor(private readonly limit: number) {}

  record(entry: RequestLogEntry): void {
    this.total++;
    this.kept.push(entry);
    // Trimmed in batches: dropping the oldest entry on every request once the log was full moved the
    // whole array each time (100,000 entries per request), which doubled the sandbox's CPU per call
    // late in a benchmark run.
    if (this.kept.length >= this.limit + Math.ceil(this.limit / 4)) this.kept = this.kept.slice(-this.limit);
  }

  recordWrite(key: string): void {
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
  }

  /** The latest entries, at most `limit`, oldest first. */
  entries(): readonly RequestLogEntry[] {
    return this.kept.length > this.limit ? this.kept.slice(-this.limit) : this.kept;
  }

  writeCounts(): ReadonlyMap<string, number> {
    return this.writes;
  }

  duplicateWrites(): Array<{ key: string; count: number }> {
    return [...this.writes].filter(([, count]) => count > 1).map(([key, count]) => ({ key, count }));
  }

  clear(): void {
    this.kept = [];
    this.writes.clear();
    this.total = 0;
  }
}
