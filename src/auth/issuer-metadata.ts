import type { Config } from '../config/index.js';
import type { Logger } from '../telemetry/logger.js';
import { fetchJson } from './fetch-json.js';
import { RefreshLoop } from './refresh-loop.js';

type Json = Record<string, unknown>;

/** What deep health shows about the mirrored authorization-server metadata. */
export interface IssuerMetadataStatus {
  /** live: fresh from the issuer; cached: last good copy, issuer unreachable now; fallback: built from configuration. */
  source: 'live' | 'cached' | 'fallback';
  /** ISO time of the last successful fetch, null before the first. */
  lastFetchAt: string | null;
  lastError?: string;
}

export interface IssuerMetadataOptions {
  config: Pick<Config, 'issuer' | 'jwksUri' | 'scopes'>;
  fetch: typeof fetch;
  logger: Logger;
  /** Background refresh while live [10 min]. */
  refreshIntervalMs?: number;
  /** Retry while the issuer is unreachable [30 s]. */
  retryMs?: number;
  timeoutMs?: number;
}

/**
 * RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path. OpenID Connect
 * Discovery §4 appends it to the issuer instead; for an issuer without a path both are the same.
 */
export function wellKnownUrl(issuer: string, name: string, style: 'insert' | 'append'): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return style === 'insert' ? `${url.origin}/.well-known/${name}${path}` : `${url.origin}${path}/.well-known/${name}`;
}

/**
 * The document served while the issuer has never been reached: NeonPanel's own routes
 * (the /oauth2 part of openapi/neonpanel-api.openapi.json), so clients can start OAuth during an issuer outage.
 */
function fallbackAuthorizationServerMetadata(config: IssuerMetadataOptions['config']): Json {
  const { issuer } = config;
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    registration_endpoint: `${issuer}/oauth2/register`,
    jwks_uri: config.jwksUri,
    ...(config.scopes?.length ? { scopes_supported: [...config.scopes] } : {}),
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt', 'client_secret_post', 'client_secret_basic'],
    code_challenge_methods_supported: ['S256'],
  };
}

type Fetched = { kind: 'document'; doc: Json } | { kind: 'absent' };

/**
 * Mirrors the issuer's authorization-server metadata (and its OpenID configuration, only if it has
 * one) so the copy on the bridge's origin never disagrees with the real one. Refreshed in the
 * background; while the issuer is unreachable the last good copy is served, and before the first
 * success a document built from configuration.
 */
export class IssuerMetadataMirror {
  private asDoc: Json | undefined;
  private oidcDoc: Json | undefined;
  private lastFetchAt: number | undefined;
  private lastError: string | undefined;
  /** The last fetch of the RFC 8414 document failed (lastError may also hold a warning about a live copy). */
  private failing = false;
  private readonly fallback: Json;
  private readonly loop = new RefreshLoop(
    () => this.refresh(),
    () => (this.failing ? (this.options.retryMs ?? 30_000) : (this.options.refreshIntervalMs ?? 600_000)),
  );

  constructor(private readonly options: IssuerMetadataOptions) {
    this.fallback = fallbackAuthorizationServerMetadata(options.config);
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  close(): void {
    this.loop.stop();
  }

  /** The RFC 8414 document to serve: live or cached copy, else the configuration-built fallback. */
  authorizationServer(): Json {
    return this.asDoc ?? this.fallback;
  }

  /** The issuer's OpenID configuration, or undefined when it has none (or it was never reached). */
  openidConfiguration(): Json | undefined {
    return this.oidcDoc;
  }

  status(): IssuerMetadataStatus {
    const source = !this.asDoc ? 'fallback' : this.failing ? 'cached' : 'live';
    return {
      source,
      lastFetchAt: this.lastFetchAt === undefined ? null : new Date(this.lastFetchAt).toISOString(),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Fetches both documents; never throws. */
  async refresh(): Promise<void> {
    const { issuer } = this.options.config;
    const asUrl = wellKnownUrl(issuer, 'oauth-authorization-server', 'insert');
    const oidcUrl = wellKnownUrl(issuer, 'openid-configuration', 'append');
    const [as, oidc] = await Promise.allSettled([this.fetchDocument(asUrl), this.fetchDocument(oidcUrl)]);
    if (as.status === 'fulfilled' && as.value.kind === 'document') {
      this.asDoc = as.value.doc;
      this.lastFetchAt = Date.now();
      this.failing = false;
      const named = as.value.doc['issuer'];
      this.lastError =
        named === issuer ? undefined : `the issuer's metadata names issuer ${String(named)}, expected ${issuer}`;
    } else {
      const reason = as.status === 'rejected' ? String((as.reason as Error).message) : 'HTTP 404';
      this.failing = true;
      this.lastError = `GET ${asUrl} failed: ${reason}`;
      this.options.logger.warn({ url: asUrl, err: this.lastError }, 'issuer metadata fetch failed');
    }
    // An answered 404 means the issuer has no OpenID configuration; a network failure keeps what we knew.
    if (oidc.status === 'fulfilled') this.oidcDoc = oidc.value.kind === 'document' ? oidc.value.doc : undefined;
  }

  private async fetchDocument(url: string): Promise<Fetched> {
    const doc = await fetchJson(this.options.fetch, url, this.options.timeoutMs ?? 5_000);
    if (doc === undefined) return { kind: 'absent' };
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof (doc as Json)['issuer'] !== 'string') {
      throw new Error('not a metadata document (no "issuer")');
    }
    return { kind: 'document', doc: doc as Json };
  }
}
