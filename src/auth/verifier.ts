import { createHash } from 'node:crypto';
import { type JWTPayload, type ProtectedHeaderParameters, decodeProtectedHeader, jwtVerify } from 'jose';
import { JOSEAlgNotAllowed, JWSSignatureVerificationFailed, JWTClaimValidationFailed, JWTExpired } from 'jose/errors';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/index.js';
import { type AudienceConfig, type AudiencePolicy, audiencePolicy, checkDefaultAudience } from './audience.js';
import { AuthError, quoteUntrusted } from './errors.js';
import type { KeyStore } from './jwks.js';

/** What a valid token says about its caller. */
export interface VerifiedToken {
  sub: string;
  scopes: string[];
  audience: string[];
  issuer: string;
  /** Epoch seconds. */
  expiresAt: number;
  issuedAt: number;
  /** From `client_id`, `azp` or `cid`, when the issuer sets one. */
  clientId?: string;
  /** sha256 hex of the token: safe to log and to key caches by. */
  tokenHash: string;
}

export type VerifierConfig = Pick<Config, 'issuer' | 'scopes' | 'jwtAlgorithms' | 'clockToleranceSeconds'> &
  AudienceConfig;

/** Tokens longer than this are refused before parsing: no issuer sends them, and parsing costs. */
const MAX_TOKEN_LENGTH = 16_384;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** sha256 hex of a token, the only form of a token that may be logged or stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function isoTime(epochSeconds: unknown): string {
  return typeof epochSeconds === 'number' && Number.isFinite(epochSeconds)
    ? new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z')
    : quoteUntrusted(epochSeconds);
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Validates bearer tokens: shape, allow-listed algorithm (before any key is touched), signature
 * against the issuer's JWKS, `iss`, `exp`/`nbf` with tolerance, required `sub`/`iat`/`exp`, `aud` by
 * the audience policy (`audiencePolicy`), scopes when configured. Valid tokens are cached by hash until they expire, so a busy client
 * pays for one RSA verification per token, not per request.
 */
export class TokenVerifier {
  private readonly cache: LRUCache<string, VerifiedToken>;
  private readonly audiencePolicy: AudiencePolicy;

  constructor(
    private readonly config: VerifierConfig,
    private readonly keys: Pick<KeyStore, 'resolve'>,
    cacheMax = 10_000,
  ) {
    this.cache = new LRUCache({ max: cacheMax });
    this.audiencePolicy = audiencePolicy(config);
  }

  /** Returns the verified token or throws AuthError (see its codes). */
  async verify(token: string): Promise<VerifiedToken> {
    if (!token) throw new AuthError('missing_token', 'no bearer token was sent');
    const tokenHash = hashToken(token);
    const now = Date.now() / 1000;
    const cached = this.cache.get(tokenHash);
    if (cached && cached.expiresAt + this.config.clockToleranceSeconds > now) {
      this.checkScopes(cached);
      return cached;
    }
    const header = this.readHeader(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (h: ProtectedHeaderParameters) => this.keys.resolve(h), {
        issuer: this.config.issuer,
        ...(this.config.audience ? { audience: this.config.audience } : {}),
        algorithms: this.config.jwtAlgorithms,
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['sub', 'iat', 'exp'],
      }));
    } catch (error) {
      throw this.explain(error, header);
    }
    if (this.audiencePolicy.source === 'default') checkDefaultAudience(this.audiencePolicy, payload.aud);
    const verified = this.toVerified(payload, tokenHash);
    const ttlMs = (verified.expiresAt + this.config.clockToleranceSeconds - now) * 1000;
    if (ttlMs > 0) this.cache.set(tokenHash, verified, { ttl: Math.ceil(ttlMs) });
    this.checkScopes(verified);
    return verified;
  }

  /** Shape and algorithm checks that need no key: `none`, HS* and the rest never reach a key. */
  private readHeader(token: string): ProtectedHeaderParameters {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new AuthError('malformed', `token is ${token.length} characters, more than ${MAX_TOKEN_LENGTH}`);
    }
    if (!JWT_SHAPE.test(token)) {
      throw new AuthError('malformed', 'not a JWT: expected three base64url parts separated by dots');
    }
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new AuthError('malformed', 'not a JWT: the header is not base64url-encoded JSON');
    }
    const alg = header.alg;
    if (typeof alg !== 'string' || !this.config.jwtAlgorithms.includes(alg)) {
      throw new AuthError(
        'alg_not_allowed',
        `algorithm ${alg === undefined ? '(none given)' : quoteUntrusted(alg)} not allowed (allowed: ${this.config.jwtAlgorithms.join(', ')})`,
      );
    }
    return header;
  }

  private explain(error: unknown, header: ProtectedHeaderParameters): AuthError {
    if (error instanceof AuthError) return error;
    if (error instanceof JWTExpired) return new AuthError('expired', `expired at ${isoTime(error.payload.exp)}`);
    if (error instanceof JWTClaimValidationFailed) return this.explainClaim(error);
    if (error instanceof JWSSignatureVerificationFailed) {
      const key = header.kid === undefined ? "the issuer's key" : `the issuer's key ${quoteUntrusted(header.kid)}`;
      return new AuthError('bad_signature', `signature does not verify with ${key}`);
    }
    if (error instanceof JOSEAlgNotAllowed) {
      return new AuthError('alg_not_allowed', `algorithm ${quoteUntrusted(header.alg)} not allowed`);
    }
    if (error instanceof Error) {
      return new AuthError('malformed', `not a valid JWT: ${quoteUntrusted(error.message, 120)}`);
    }
    return new AuthError('malformed', 'not a valid JWT');
  }

  private explainClaim(error: JWTClaimValidationFailed): AuthError {
    const { claim, reason, payload } = error;
    if (reason === 'missing') return new AuthError('missing_claim', `missing required claim ${claim}`);
    if (claim === 'nbf') return new AuthError('not_yet_valid', `not valid before ${isoTime(payload.nbf)}`);
    if (claim === 'iss') {
      return new AuthError('wrong_issuer', `issuer ${quoteUntrusted(payload.iss)}, expected ${this.config.issuer}`);
    }
    if (claim === 'aud') {
      const got = asList(payload.aud).map((a) => quoteUntrusted(a));
      return new AuthError(
        'wrong_audience',
        `audience ${got.join(', ') || '(none)'}, expected one of ${this.config.audience?.join(', ')}`,
      );
    }
    return new AuthError('malformed', `claim ${claim} is invalid: ${quoteUntrusted(error.message, 120)}`);
  }

  private toVerified(payload: JWTPayload, tokenHash: string): VerifiedToken {
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new AuthError('missing_claim', 'claim sub must be a non-empty string');
    }
    const clientId = [payload['client_id'], payload['azp'], payload['cid']].find((v) => typeof v === 'string');
    return {
      sub: payload.sub,
      scopes: asList(payload['scope'] ?? payload['scp']),
      audience: asList(payload.aud),
      issuer: this.config.issuer,
      expiresAt: payload.exp as number,
      issuedAt: payload.iat as number,
      ...(typeof clientId === 'string' ? { clientId } : {}),
      tokenHash,
    };
  }

  private checkScopes(token: VerifiedToken): void {
    const missing = (this.config.scopes ?? []).filter((s) => !token.scopes.includes(s));
    if (missing.length === 0) return;
    const has = token.scopes.map((s) => quoteUntrusted(s)).join(' ') || 'none';
    throw new AuthError('insufficient_scope', `the token lacks scope ${missing.join(' ')} (it has: ${has})`);
  }
}
