import { randomBytes } from 'node:crypto';
import {
  type InitializeRequest,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import type { Config } from '../config/index.js';
import type { KeyValue } from '../state/types.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Caller } from './caller.js';

/**
 * What the bridge remembers about a Streamable HTTP session, in `Store.kv`, for every instance. Only what
 * it reads back: the client's capabilities and client info are not kept, as the record is read and parsed
 * on every request of the session and a client chooses their size.
 */
export interface SessionRecord {
  /**
   * The token subject that owns the session; only that subject may use it. Null: opened anonymously (with
   * `MCP_ALLOW_ANONYMOUS_DISCOVERY`) and not used with a token yet; the first token binds it (`bind`).
   */
  sub: string | null;
  /** The revision the session runs: the one `initialize` asked for when supported, else the latest. */
  protocolVersion: string;
  createdAt: string;
}

/** The record of a session opened by `initialize` with `caller`'s token (or none). */
export function sessionRecord(initialize: InitializeRequest, caller: Pick<Caller, 'sub'> | undefined): SessionRecord {
  const asked = initialize.params.protocolVersion;
  return {
    sub: caller?.sub ?? null,
    protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION,
    createdAt: new Date().toISOString(),
  };
}

/**
 * Whom a session counts against in the session limits: its user, or, for an anonymous session, the
 * client address that opened it (so anonymous clients do not share one quota, and one address cannot
 * take every anonymous session).
 */
export function sessionOwner(caller: Pick<Caller, 'sub'> | undefined, clientIp: string): string {
  return caller ? `user:${caller.sub}` : `ip:${clientIp}`;
}

/**
 * The owner key of a session known from its record alone (opened by another instance): its user, or, for an
 * anonymous one, a key no `sessionOwner` returns (the address that opened it is not stored).
 */
function ownerOfRecord(record: SessionRecord): string {
  return record.sub === null ? 'anonymous' : `user:${record.sub}`;
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
  private readonly seen = new Map<string, { owner: string; lastSeen: number }>();

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

  /** Checks the limits for one more session of `owner` (`sessionOwner`) on this instance; undefined when allowed. */
  admit(owner: string): AdmitRefusal | undefined {
    this.prune(Date.now());
    if (this.seen.size >= this.config.maxSessionsTotal) return 'total';
    let mine = 0;
    for (const entry of this.seen.values()) if (entry.owner === owner) mine++;
    return mine >= this.config.maxSessionsPerUser ? 'per_user' : undefined;
  }

  /** Stores a new session's record; counted here only once stored (a store that is down creates nothing). */
  async create(id: string, record: SessionRecord, owner: string): Promise<void> {
    await this.kv.set(this.key(id), JSON.stringify(record), this.config.sessionIdleSeconds);
    this.seen.set(id, { owner, lastSeen: Date.now() });
    this.metrics.sessions.set(this.seen.size);
  }

  /** The session's record (refreshing its idle timer), or undefined when unknown or expired. */
  async use(id: string): Promise<SessionRecord | undefined> {
    if (!isPlausibleSessionId(id)) return undefined;
    const raw = await this.kv.getAndTouch(this.key(id), this.config.sessionIdleSeconds);
    if (raw === undefined) return undefined;
    const record = JSON.parse(raw) as SessionRecord;
    this.seen.set(id, { owner: this.seen.get(id)?.owner ?? ownerOfRecord(record), lastSeen: Date.now() });
    this.metrics.sessions.set(this.seen.size);
    return record;
  }

  /**
   * Binds an anonymous session to the first user who uses it with a token: from then on only that user
   * may use it, so nobody else can resume the answers the user's calls left in its event log. Returns
   * the bound record.
   */
  async bind(id: string, record: SessionRecord, sub: string): Promise<SessionRecord> {
    const bound = { ...record, sub };
    this.seen.set(id, { owner: ownerOfRecord(bound), lastSeen: Date.now() });
    await this.kv.set(this.key(id), JSON.stringify(bound), this.config.sessionIdleSeconds);
    return bound;
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
