import { type CryptoKey, type JSONWebKeySet, type JWSHeaderParameters, createLocalJWKSet } from 'jose';
import { JWKSMultipleMatchingKeys, JWKSNoMatchingKey } from 'jose/errors';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { AuthError, quoteUntrusted } from './errors.js';
import { fetchJson } from './fetch-json.js';
import { RefreshLoop } from './refresh-loop.js';

/** What deep health shows about the issuer's signing keys. */
export interface JwksStatus {
  /** ok: last fetch worked; stale: last fetch failed but earlier keys still serve; down: no keys at all. */
  status: 'ok' | 'stale' | 'down';
  keysFound: number;
  /** ISO time of the last successful fetch, null before the first. */
  lastFetchAt: string | null;
  lastError?: string;
}

export interface KeyStoreOptions {
  jwksUri: string;
  fetch: typeof fetch;
  logger: Logger;
  metrics: Pick<Metrics, 'jwksRefreshes'>;
  /** Least time between two refetches for a key id already looked for [30 s]. */
  cooldownMs?: number;
  /** Least time between refetches when the unknown key id is new: rotation should not wait 30 s [1 s]. */
  firstSeenCooldownMs?: number;
  /** Background refresh while healthy [10 min]. */
  refreshIntervalMs?: number;
  /** Background retry while the last fetch failed [5 s without keys, else 60 s]. */
  retryMs?: number;
  /** Per-fetch timeout [5 s]. */
  timeoutMs?: number;
}

type LocalJwks = ReturnType<typeof createLocalJWKSet>;

/**
 * The issuer's JWKS, fetched by us (not jose's remote set) so deep health can say exactly what
 * happened: keys found, when, and the last error. Keys already fetched keep serving while the
 * issuer is down; an unknown `kid` triggers one rate-limited refetch so rotation is picked up.
 */
export class KeyStore {
  private keys: LocalJwks | undefined;
  private keysFound = 0;
  private lastFetchAt: number | undefined;
  private lastAttemptAt = 0;
  private lastError: string | undefined;
  private inFlight: Promise<boolean> | undefined;
  /** Key ids we already refetched for, so a repeated bad kid waits the full cooldown. */
  private readonly triedKids: LRUCache<string, true>;
  private readonly cooldownMs: number;
  private readonly firstSeenCooldownMs: number;
  private readonly refreshIntervalMs: number;
  private readonly retryMs: number | undefined;
  private readonly timeoutMs: number;
  private readonly loop = new RefreshLoop(
    () => this.refresh(),
    () => (this.lastError ? (this.retryMs ?? (this.keys ? 60_000 : 5_000)) : this.refreshIntervalMs),
  );

  constructor(private readonly options: KeyStoreOptions) {
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.firstSeenCooldownMs = options.firstSeenCooldownMs ?? 1_000;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 600_000;
    this.retryMs = options.retryMs;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.triedKids = new LRUCache({ max: 1_000, ttl: this.cooldownMs });
  }

  /** First fetch, then background refreshes. Never throws: failures show in status(). */
  start(): Promise<void> {
    return this.loop.start();
  }

  close(): void {
    this.loop.stop();
  }

  /** True once keys were fetched at least once. */
  ready(): boolean {
    return this.keys !== undefined;
  }

  status(): JwksStatus {
    const status = !this.keys ? 'down' : this.lastError ? 'stale' : 'ok';
    return {
      status,
      keysFound: this.keysFound,
      lastFetchAt: this.lastFetchAt === undefined ? null : new Date(this.lastFetchAt).toISOString(),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /**
   * The verification key for a token header (alg already allow-listed by the caller).
   * Throws AuthError: unknown_kid, missing_kid (no kid and several candidate keys), jwks_unavailable.
   */
  async resolve(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (!this.keys) await this.refreshIfAllowed(this.firstSeenCooldownMs);
    if (!this.keys) {
      throw new AuthError(
        'jwks_unavailable',
        `the issuer's signing keys could not be fetched from ${this.options.jwksUri}${this.lastError ? ` (${this.lastError})` : ''}; try again shortly`,
      );
    }
    try {
      return await this.keys(header);
    } catch (error) {
      if (!(error instanceof JWKSNoMatchingKey)) throw this.explain(error, header);
    }
    const kid = header.kid ?? '';
    const cooldown = this.triedKids.has(kid) ? this.cooldownMs : this.firstSeenCooldownMs;
    const fetched = await this.refreshIfAllowed(cooldown);
    // While the key set cannot be fetched, a key id we do not hold may be the issuer's newest key: the
    // token may be good, so the answer is "try again" (503), never "invalid token", and the kid is not
    // marked as looked for, so the first request after the issuer is back refetches at once.
    if (this.lastError) {
      throw new AuthError(
        'jwks_unavailable',
        `key id ${quoteUntrusted(header.kid)} is not among the keys fetched, and the issuer's key set could not be refreshed (${this.lastError}); try again shortly`,
      );
    }
    // Marked only once a key set fetched for it lacks it: a kid first seen just after an unrelated fetch
    // (within the first-seen cooldown) gets its own fetch on a later request, not the long cooldown.
    if (fetched) this.triedKids.set(kid, true);
    try {
      return await this.keys(header);
    } catch (error) {
      throw this.explain(error, header);
    }
  }

  private explain(error: unknown, header: JWSHeaderParameters): AuthError {
    const alg = quoteUntrusted(header.alg);
    if (error instanceof JWKSMultipleMatchingKeys) {
      return new AuthError(
        'missing_kid',
        `the token has no key id (kid) and the issuer publishes ${this.keysFound} keys for ${alg}; a token must name its key`,
      );
    }
    if (error instanceof JWKSNoMatchingKey) {
      const why = header.kid === undefined ? `no key for ${alg} and the token has no key id (kid)` : undefined;
      return new AuthError('unknown_kid', why ?? `unknown key id ${quoteUntrusted(header.kid)}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    return new AuthError('unknown_kid', `key id ${quoteUntrusted(header.kid)} is not a usable ${alg} key: ${message}`);
  }

  /** Refetches when the last attempt is older than `minGapMs`; joins a fetch already running. */
  private async refreshIfAllowed(minGapMs: number): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (Date.now() - this.lastAttemptAt < minGapMs) return false;
    return this.refresh();
  }

  private refresh(): Promise<boolean> {
    this.inFlight ??= this.fetchKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<boolean> {
    this.lastAttemptAt = Date.now();
    const { jwksUri, logger, metrics } = this.options;
    try {
      const body = (await fetchJson(this.options.fetch, jwksUri, this.timeoutMs)) as JSONWebKeySet | undefined;
      // A key set that is not there is a failure like any other status.
      if (body === undefined) throw new Error('HTTP 404');
      this.keys = createLocalJWKSet(body); // throws on a malformed set: old keys stay
      this.keysFound = body.keys.length;
      this.lastFetchAt = Date.now();
      this.lastError = undefined;
      metrics.jwksRefreshes.inc({ outcome: 'ok' });
      logger.debug({ jwksUri, keysFound: this.keysFound }, 'jwks fetched');
      return true;
    } catch (error) {
      this.lastError = `GET ${jwksUri} failed: ${error instanceof Error ? error.message : String(error)}`;
      metrics.jwksRefreshes.inc({ outcome: 'error' });
      logger.warn({ jwksUri, err: this.lastError }, 'jwks fetch failed; keys already fetched keep serving');
      return false;
    }
  }
}
