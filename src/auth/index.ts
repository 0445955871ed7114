/**
 * The bridge as an OAuth 2.1 resource server for NeonPanel-issued JWTs: token validation (jose,
 * JWKS with rotation, a cache of validated tokens), the bearer gate with its RFC 6750 / RFC 9728
 * challenge, and the discovery documents (protected-resource metadata, the issuer's metadata mirrored).
 */
import type { Router } from 'express';
import type { Config } from '../config/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { createDiscoveryRouter } from './discovery.js';
import { type Gate, type TokenCheck, createGate } from './gate.js';
import { IssuerMetadataMirror, type IssuerMetadataStatus } from './issuer-metadata.js';
import { type JwksStatus, KeyStore, type KeyStoreOptions } from './jwks.js';
import { TokenVerifier, type VerifiedToken } from './verifier.js';

export { audiencePolicy, describeAudiencePolicy } from './audience.js';
export { extractBearerToken, type TokenSources } from './bearer.js';
export { AuthError, type AuthErrorCode } from './errors.js';
export { type ProtectedRoute, resourceMetadataUrl } from './challenge.js';
export { buildResourceMetadata, type ProtectedResourceMetadata } from './resource-metadata.js';
export { hashToken, type VerifiedToken } from './verifier.js';
export { verifyOnce } from './verify-once.js';
export type { JwksStatus, IssuerMetadataStatus, TokenCheck };

/** What deep health shows about the resource server's dependencies on the issuer. */
export interface AuthStatus {
  jwks: JwksStatus;
  issuerMetadata: IssuerMetadataStatus;
}

export interface AuthDeps {
  logger: Logger;
  metrics: Pick<Metrics, 'authFailures' | 'jwksRefreshes'>;
  /** Used for the JWKS and issuer metadata; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** JWKS refetch rate limits; the defaults suit production, tests shorten them. */
  jwksTiming?: Pick<KeyStoreOptions, 'cooldownMs' | 'firstSeenCooldownMs'>;
}

export interface Auth {
  /** Verifies a bearer token; throws AuthError (stable `code`, `httpStatus`, safe `description`). */
  verify(token: string): Promise<VerifiedToken>;
  /**
   * The bearer gate of an MCP route, in two steps on node's request and response: `checkToken` finds and
   * verifies the token answering nothing (so the rate limiter can count the outcome first; give it the
   * parsed body so a token in the body is recognised and refused). It accepts `Authorization: Bearer`
   * only. `refuse` answers a refusal for the route ('mcp' for `/mcp`, 'sse' for `/sse` and `/messages`):
   * 401 (403 `insufficient_scope`, 503 while the issuer's keys cannot be fetched) with a `WWW-Authenticate`
   * challenge naming the route's protected-resource metadata and a JSON body
   * `{ error, error_description, resource_metadata, hint }`. Counts `authFailures` by code; never logs the token.
   */
  checkToken: Gate['check'];
  refuse: Gate['refuse'];
  /**
   * GET routes: `/.well-known/oauth-protected-resource{,/mcp,/sse}` (and `/mcp/.well-known/…`,
   * `/sse/.well-known/…`), `/.well-known/oauth-authorization-server` (the issuer's, mirrored) and
   * `/.well-known/openid-configuration` (only when the issuer has one, 404 otherwise).
   */
  discoveryRouter(): Router;
  /** For deep health. */
  status(): AuthStatus;
  /** True once the issuer's keys were fetched at least once (for /readyz). */
  ready(): boolean;
  /** First fetches of keys and issuer metadata, then background refreshes. Resolves when both answered or failed. */
  start(): Promise<void>;
  /** Stops the background refresh timers. */
  close(): void;
}

/** Wires the resource server from configuration. Nothing is fetched until `start()` (or the first token). */
export function createAuth(config: Readonly<Config>, deps: AuthDeps): Auth {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const keyStore = new KeyStore({
    jwksUri: config.jwksUri,
    fetch: fetchImpl,
    logger: deps.logger,
    metrics: deps.metrics,
    ...deps.jwksTiming,
  });
  const mirror = new IssuerMetadataMirror({ config, fetch: fetchImpl, logger: deps.logger });
  const verifier = new TokenVerifier(config, keyStore);
  const verify = (token: string) => verifier.verify(token);
  const gate = createGate({ config, verify, logger: deps.logger, metrics: deps.metrics });
  return {
    verify,
    checkToken: gate.check,
    refuse: gate.refuse,
    discoveryRouter: () => createDiscoveryRouter(config, mirror),
    status: () => ({ jwks: keyStore.status(), issuerMetadata: mirror.status() }),
    ready: () => keyStore.ready(),
    start: async () => {
      await Promise.all([keyStore.start(), mirror.start()]);
    },
    close: () => {
      keyStore.close();
      mirror.close();
    },
  };
}
