/** What every authorization-server route shares: issuer, keys, stores, switches, and the token minting rules. */

import { randomUUID } from 'node:crypto';
import type { SandboxUser } from '../data/model.js';
import type { KeyStore } from '../keys.js';
import type { AsMisbehaviour } from '../misbehave.js';
import { type ClientMetadataDocuments, isMetadataDocumentUrl } from './cimd.js';
import type { ClientRecord, ClientStore } from './clients.js';
import { OAuthError } from './errors.js';
import type { GrantStore } from './grants.js';

/**
 * Scopes the sandbox advertises and grants unless a misbehaviour overrides them. NeonPanel API 1.2:
 * "The `openid` scope is required; no other scopes are currently defined."
 */
export const DEFAULT_SCOPES_SUPPORTED = ['openid'];
/** Scope granted when a client asks for none: the one NeonPanel requires, so every token carries it. */
export const DEFAULT_SCOPE = 'openid';

export interface AsContext {
  issuer: string;
  publicUrl: string;
  keys: KeyStore;
  misbehave: AsMisbehaviour;
  clients: ClientStore;
  /** Set when client ID metadata documents are accepted (CIMD on). */
  cimd?: ClientMetadataDocuments;
  grants: GrantStore;
  tokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  autoApprove?: string;
  users: Readonly<Record<string, SandboxUser>>;
}

/**
 * The client `clientId` names: with CIMD on, a URL is resolved through its metadata document (throwing
 * `invalid_client` naming what is wrong with it); anything else is looked up among registered clients.
 */
export async function findClient(ctx: AsContext, clientId: string): Promise<ClientRecord | undefined> {
  if (ctx.cimd && isMetadataDocumentUrl(clientId)) return ctx.cimd.resolve(clientId);
  return ctx.clients.get(clientId);
}

/** What to tell a client whose id is unknown: register, or (for a URL with CIMD off) that documents are not accepted. */
export function unknownClientAdvice(ctx: AsContext, clientId: string): string {
  return !ctx.cimd && isMetadataDocumentUrl(clientId)
    ? 'this server does not accept client ID metadata documents (CIMD is off); register the client first'
    : 'register the client first';
}

/** Scopes the metadata advertises and `/authorize` accepts now. */
export function supportedScopes(ctx: AsContext): string[] {
  return ctx.misbehave.current.scopesSupported ?? DEFAULT_SCOPES_SUPPORTED;
}

/** The requested scope checked against the supported ones (`invalid_scope` naming the first unknown). */
export function checkScope(ctx: AsContext, requested: string | undefined): string {
  const scopes = (requested ?? '').split(' ').filter(Boolean);
  const supported = supportedScopes(ctx);
  const unknown = scopes.find((scope) => !supported.includes(scope));
  if (unknown) {
    throw new OAuthError('invalid_scope', `scope "${unknown}" is not supported; supported: ${supported.join(' ')}`);
  }
  if (scopes.length > 0) return scopes.join(' ');
  return supported.includes(DEFAULT_SCOPE) ? DEFAULT_SCOPE : '';
}

/**
 * RFC 8707 resource indicators: absolute URIs without a fragment, one trailing slash dropped so
 * `https://mcp.example.com/` and `https://mcp.example.com` give the same audience.
 */
export function checkResources(ctx: AsContext, values: readonly string[]): string[] {
  if (values.length > 0 && ctx.misbehave.current.rejectResource) {
    throw new OAuthError('invalid_target', 'the resource parameter is not supported');
  }
  return values.map((value) => {
    if (!URL.canParse(value) || new URL(value).hash) {
      throw new OAuthError('invalid_target', `resource "${value}" must be an absolute URI without a fragment`);
    }
    if (ctx.misbehave.current.rejectResourceTrailingSlash && value.endsWith('/')) {
      throw new OAuthError('invalid_target', `resource "${value}" is not a registered resource`);
    }
    return /^[^?]*[^/]\/$/.test(value) ? value.slice(0, -1) : value;
  });
}

/** Every value of a form or query field that may repeat (`resource`). */
export function allValues(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

/** Mints an RS256 access token the way NeonPanel does. */
export async function mintAccessToken(
  ctx: AsContext,
  grant: { sub: string; clientId: string; scope: string; resources: readonly string[] },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: ctx.issuer,
    sub: grant.sub,
    iat: now,
    exp: now + ctx.tokenTtlSeconds,
    scope: grant.scope,
    client_id: grant.clientId,
    jti: randomUUID(),
  };
  if (grant.resources.length > 0 && !ctx.misbehave.current.ignoreResourceInAud) {
    payload.aud = grant.resources.length === 1 ? grant.resources[0] : [...grant.resources];
  }
  return ctx.keys.sign({ payload });
}
