/**
 * Short-lived state of the authorization flow: pending consent requests, one-time authorization codes,
 * and rotating refresh tokens (RFC 6749 §4.1, §6; OAuth 2.1 §4.3.1 rotation).
 */

import { createHash } from 'node:crypto';
import { opaqueToken } from './clients.js';

/** An authorization request waiting for the user on the consent page. */
export interface PendingAuthorization {
  id: string;
  clientId: string;
  redirectUri: string;
  /** Whether the client sent redirect_uri (then /token must repeat it, RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  state?: string;
  scope: string;
  resources: string[];
  codeChallenge?: string;
  expiresAt: number;
}

export interface CodeGrant extends Omit<PendingAuthorization, 'id' | 'state'> {
  sub: string;
}

export interface RefreshGrant {
  clientId: string;
  sub: string;
  scope: string;
  resources: string[];
  expiresAt: number;
}

const PENDING_TTL_MS = 10 * 60_000;
const CODE_TTL_MS = 60_000;

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function takeLive<T extends { expiresAt: number }>(map: Map<string, T>, key: string): T | undefined {
  const value = map.get(key);
  map.delete(key);
  return value && value.expiresAt > Date.now() ? value : undefined;
}

export class GrantStore {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

  addPending(request: Omit<PendingAuthorization, 'id' | 'expiresAt'>): PendingAuthorization {
    const pending = { ...request, id: opaqueToken('req'), expiresAt: Date.now() + PENDING_TTL_MS };
    this.pending.set(pending.id, pending);
    return pending;
  }

  /** The pending request, removed: a consent form can be submitted once. */
  takePending(id: string): PendingAuthorization | undefined {
    return takeLive(this.pending, id);
  }

  issueCode(grant: Omit<CodeGrant, 'expiresAt'>): string {
    const code = opaqueToken('code');
    this.codes.set(hash(code), { ...grant, expiresAt: Date.now() + CODE_TTL_MS });
    return code;
  }

  /** The code's grant, removed: codes are one-time. */
  takeCode(code: string): CodeGrant | undefined {
    return takeLive(this.codes, hash(code));
  }

  issueRefreshToken(grant: Omit<RefreshGrant, 'expiresAt'>, ttlSeconds: number): string {
    const token = opaqueToken('rt');
    this.refreshTokens.set(hash(token), { ...grant, expiresAt: Date.now() + ttlSeconds * 1000 });
    return token;
  }

  /** The refresh token's grant, removed: every refresh rotates the token. */
  takeRefreshToken(token: string): RefreshGrant | undefined {
    return takeLive(this.refreshTokens, hash(token));
  }
}
