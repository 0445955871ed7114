import { randomBytes } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { KeyValue } from '../state/types.js';
import type { Metrics } from '../telemetry/metrics.js';

/** What the bridge remembers about a Streamable HTTP session, in `Store.kv`, for every instance. */
export interface SessionRecord {
  /** The token subject that created the session; only that subject may use it. Null: anonymous. */
  sub: string | null;
  protocolVersion: string;
  clientInfo?: { name?: string; version?: string };
  capabilities?: Record<string, unknown>;
  createdAt: string;
}

/** Why a session could not be created. */
export type AdmitRefusal = 'per_user' | 'total';

/** A new session id: 256 random bits, base64url (an id must be unguessable; the spec asks for visible ASCII). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

const SESSION_ID_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** Whether a client-sent session id has a shape we could have issued (anything else is unknown at once). */
export function isPlausibleSessionId(id: string): boolean {
  return SESSION_ID_SHAPE.test(id);
}

/**
 * Streamable HTTP sessions: records in `Store.kv` (so any instance can continue a session another one
 * created, re-creating server and transport per request), expiring after `sessionIdleSeconds` without
 * use. This instance also tracks the sessions it has seen, to enforce the per-user and total limits
 * and to export the sessions gauge.
 */
export class SessionRegistry {
  private readonly seen = new Map<string, { sub: string | null; lastSeen: number }>();

  constructor(
    private readonly kv: KeyValue,
    private readonly config: Pick<Config, 'sessionIdleSeconds' | 'maxSessionsPerUser' | 'maxSessionsTotal'>,
    private readonly metrics: Pick<Metrics, 'sessions'>,
  ) {}

  private key(id: string): string {
    return `mcp:session:${id}`;
  }

  /** Drops sessions idle for longer than the idle timeout from this instance's view. */
  private prune(now: number): void {
    const cutoff = now - this.config.sessionIdleSeconds * 1000;
    for (const [id, entry] of this.seen) if (entry.lastSeen < cutoff) this.seen.delete(id);
    this.metrics.sessions.set(this.seen.size);
  }

  /** Checks the limits for one more session of `sub` on this instance; undefined when allowed. */
  admit(sub: string | null): AdmitRefusal | undefined {
    this.prune(Date.now());
    if (this.seen.size >= this.config.maxSessionsTotal) return 'total';
    let mine = 0;
    for (const entry of this.seen.values()) if (entry.sub === sub) mine++;
    return mine >= this.config.maxSessionsPerUser ? 'per_user' : undefined;
  }

  async create(id: string, record: SessionRecord): Promise<void> {
    this.seen.set(id, { sub: record.sub, lastSeen: Date.now() });
    this.metrics.sessions.set(this.seen.size);
    await this.kv.set(this.key(id), JSON.stringify(record), this.config.sessionIdleSeconds);
  }

  /** The session's record (refreshing its idle timer), or undefined when unknown or expired. */
  async use(id: string): Promise<SessionRecord | undefined> {
    if (!isPlausibleSessionId(id)) return undefined;
    const raw = await this.kv.getAndTouch(this.key(id), this.config.sessionIdleSeconds);
    if (raw === undefined) return undefined;
    const record = JSON.parse(raw) as SessionRecord;
    this.seen.set(id, { sub: record.sub, lastSeen: Date.now() });
    this.metrics.sessions.set(this.seen.size);
    return record;
  }

  async delete(id: string): Promise<void> {
    this.seen.delete(id);
    this.metrics.sessions.set(this.seen.size);
    await this.kv.delete(this.key(id));
  }

  /** Sessions this instance has seen in use within the idle timeout. */
  get activeCount(): number {
    this.prune(Date.now());
    return this.seen.size;
  }
}
