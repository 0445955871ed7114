/**
 * `private_key_jwt` client authentication at the token endpoint (RFC 7523 §2.2 and §3, sent as RFC 7521
 * §4.2 says): the client signs a short-lived JWT with its private key and the sandbox checks it with the
 * public keys the client registered, inline (`jwks`) or by URL (`jwks_uri`).
 */

import {
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  type FetchImplementation,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { FetchRefused } from './cimd-fetch.js';
import type { ClientRecord } from './clients.js';
import { OAuthError, invalidClient } from './errors.js';

/** The only `client_assertion_type` RFC 7523 defines. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Asymmetric algorithms only: a registered key set holds public keys, so an HMAC could not be checked. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * How far ahead an assertion's `exp` may lie. RFC 7523 leaves the bound to the server; an hour is what
 * common authorization servers allow, and it bounds how long a used `jti` must be remembered.
 */
const MAX_LIFETIME_SECONDS = 3600;

/** How long fetching a client's `jwks_uri` may take before the assertion is refused. */
const JWKS_TIMEOUT_MS = 5_000;

/** The client an assertion names (`sub`, RFC 7523 §3 item 2), read before its signature is checked to find its keys. */
export function assertedClientId(assertion: string): string {
  let sub: unknown;
  try {
    sub = decodeJwt(assertion).sub;
  } catch {
    throw invalidClient(
      'client_assertion is not a JWT (expected a signed JWT in compact form: header.payload.signature)',
    );
  }
  if (typeof sub !== 'string' || sub === '') throw invalidClient('client_assertion has no "sub" claim (the client_id)');
  return sub;
}

/** The text of a jose verification failure, for the client that sent the assertion. */
function reasonOf(error: unknown, client: ClientRecord): string {
  if (error instanceof joseErrors.JWTExpired) return 'client_assertion has expired ("exp" is in the past)';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `client_assertion claim "${error.claim}" is not accepted: ${error.message}`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return `client_assertion is signed with an algorithm the sandbox does not accept; use one of ${ALGORITHMS.join(', ')}`;
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return `no key registered for client "${client.clientId}" matches the client_assertion's "kid" and "alg"`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return `client_assertion's signature does not verify with the keys registered for client "${client.clientId}"`;
  }
  if (error instanceof FetchRefused)
    return `the keys of client "${client.clientId}" could not be fetched: ${error.message}`;
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return `the keys registered for client "${client.clientId}" are not a usable JWK Set: ${error.message}`;
  }
  return `client_assertion is invalid: ${error instanceof Error ? error.message : String(error)}`;
}

/** Verifies client assertions and remembers the ones used, so a captured assertion cannot be replayed. */
export class ClientAssertions {
  /** Each used `jti` with its client, until the assertion's `exp` (epoch seconds). */
  private readonly used = new Map<string, number>();
  /** One remote key set per `jwks_uri`: jose caches the fetched keys and refetches for an unknown `kid`. */
  private readonly remoteKeys = new Map<string, JWTVerifyGetKey>();

  /** `documentFetch` fetches the `jwks_uri` of clients described by a metadata document, under its guards. */
  constructor(private readonly documentFetch?: { [customFetch]: FetchImplementation }) {}

  /**
   * Accepts `assertion` as `client`'s authentication, or throws `invalid_client` naming what is wrong.
   * `audiences` are the values that identify this server: its issuer and its token endpoint URL.
   */
  async verify(client: ClientRecord, assertion: string, audiences: string[]): Promise<void> {
    let payload: { jti?: unknown; exp?: unknown };
    try {
      ({ payload } = await jwtVerify(assertion, this.keysOf(client), {
        issuer: client.clientId,
        subject: client.clientId,
        audience: audiences,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      throw error instanceof OAuthError ? error : invalidClient(reasonOf(error, client));
    }
    const now = Math.floor(Date.now() / 1000);
    const exp = payload.exp as number;
    if (exp > now + MAX_LIFETIME_SECONDS) {
      throw invalidClient(`client_assertion lives too long: "exp" must be at most ${MAX_LIFETIME_SECONDS} s ahead`);
    }
    this.forgetExpired(now);
    const key = `${client.clientId}\n${String(payload.jti)}`;
    if (this.used.has(key))
      throw invalidClient('client_assertion was already used ("jti" seen before); sign a new one');
    this.used.set(key, exp);
  }

  private keysOf(client: ClientRecord): JWTVerifyGetKey {
    const { jwks, jwks_uri: jwksUri } = client.metadata;
    // Registration checks only that `jwks` is an object; jose refuses one that is not a JWK Set (JWKSInvalid).
    if (jwks) return createLocalJWKSet(jwks as unknown as JSONWebKeySet);
    if (!jwksUri) throw invalidClient(`client "${client.clientId}" has neither jwks nor jwks_uri registered`);
    const guarded = client.fromMetadataDocument === true;
    if (guarded && !this.documentFetch) throw invalidClient('client metadata documents are not accepted');
    // A document's jwks_uri and a registered one may be the same URL under different guards: keyed apart.
    const cacheKey = `${guarded ? 'document' : 'registered'} ${jwksUri}`;
    let keys = this.remoteKeys.get(cacheKey);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        ...(guarded ? this.documentFetch : {}),
      });
      this.remoteKeys.set(cacheKey, keys);
    }
    return keys;
  }

  private forgetExpired(now: number): void {
    for (const [key, exp] of this.used) if (exp < now) this.used.delete(key);
  }
}
