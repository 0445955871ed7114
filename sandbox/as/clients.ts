/**
 * Registered OAuth clients (RFC 7591) with their secrets and registration access tokens (RFC 7592).
 * Secrets and RATs are kept only as SHA-256 hashes, except the client secret that RFC 7592 reads return.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OAuthError } from './errors.js';
import { redirectUriProblem } from './redirect-uris.js';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
/** NeonPanel's registration access tokens live 30 days. */
export const RAT_LIFETIME_SECONDS = 30 * 24 * 3600;

export type GrantType = (typeof GRANT_TYPES)[number];
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Client metadata as registered (RFC 7591 §2), after defaults. */
export interface ClientMetadata {
  redirect_uris: string[];
  grant_types: GrantType[];
  response_types: string[];
  token_endpoint_auth_method: AuthMethod;
  client_name?: string;
  scope?: string;
  jwks_uri?: string;
  jwks?: Record<string, unknown>;
  contacts?: string[];
  client_uri?: string;
  logo_uri?: string;
}

/** A client the authorization server knows, registered (RFC 7591) or described by its metadata document (CIMD). */
export interface ClientRecord {
  clientId: string;
  clientSecret?: string;
  metadata: ClientMetadata;
  /** The client is its metadata document's URL (CIMD): it was never registered, and its keys are fetched with the CIMD guards. */
  fromMetadataDocument?: boolean;
}

/** A dynamically registered client, with its registration access token (RFC 7592). */
export interface RegisteredClient extends ClientRecord {
  issuedAt: number;
  ratHash: string;
  ratExpiresAt: number;
}

/** Fields RFC 7592 PATCH may change (the NeonPanel document's ClientRegistrationPatch). */
const PATCHABLE = new Set(['client_name', 'redirect_uris', 'contacts', 'jwks_uri', 'jwks']);

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** A new high-entropy opaque token with a readable prefix. */
export function opaqueToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

function metadataError(description: string): OAuthError {
  return new OAuthError('invalid_client_metadata', description);
}

function stringArray(body: Record<string, unknown>, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw metadataError(`${field} must be an array of strings`);
  }
  return value;
}

function optionalString(body: Record<string, unknown>, field: string, uri = false): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw metadataError(`${field} must be a string`);
  if (uri && !URL.canParse(value)) throw metadataError(`${field} must be an absolute URI, got "${value}"`);
  return value;
}

function checkRedirectUris(uris: string[], rejectChatgptRedirect: boolean): void {
  for (const uri of uris) {
    const problem = redirectUriProblem(uri, { rejectChatgptRedirect });
    if (problem) throw new OAuthError('invalid_redirect_uri', problem);
  }
}

/** Validates a registration request (RFC 7591 §2) and applies defaults; throws OAuthError naming the field. */
export function parseRegistration(body: unknown, options: { rejectChatgptRedirect: boolean }): ClientMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw metadataError('the registration request must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const grantTypes = (stringArray(input, 'grant_types') ?? ['authorization_code', 'refresh_token']) as GrantType[];
  const unknownGrant = grantTypes.find((grant) => !GRANT_TYPES.includes(grant));
  if (unknownGrant)
    throw metadataError(`grant_types: "${unknownGrant}" is not supported; use ${GRANT_TYPES.join(', ')}`);
  const responseTypes = stringArray(input, 'response_types') ?? ['code'];
  if (responseTypes.some((type) => type !== 'code')) throw metadataError('response_types: only "code" is supported');
  const method = (optionalString(input, 'token_endpoint_auth_method') ?? 'client_secret_basic') as AuthMethod;
  if (!AUTH_METHODS.includes(method)) {
    throw metadataError(`token_endpoint_auth_method "${method}" is not supported; use ${AUTH_METHODS.join(', ')}`);
  }
  const redirectUris = stringArray(input, 'redirect_uris') ?? [];
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new OAuthError('invalid_redirect_uri', 'redirect_uris is required for the authorization_code grant');
  }
  checkRedirectUris(redirectUris, options.rejectChatgptRedirect);
  if (method === 'private_key_jwt' && input.jwks === undefined && input.jwks_uri === undefined) {
    throw metadataError('private_key_jwt needs jwks or jwks_uri');
  }
  if (input.jwks !== undefined && (typeof input.jwks !== 'object' || input.jwks === null)) {
    throw metadataError('jwks must be a JWK Set object');
  }
  const metadata: ClientMetadata = {
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    response_types: responseTypes,
    token_endpoint_auth_method: method,
    client_name: optionalString(input, 'client_name'),
    scope: optionalString(input, 'scope'),
    jwks_uri: optionalString(input, 'jwks_uri', true),
    jwks: input.jwks as Record<string, unknown> | undefined,
    contacts: stringArray(input, 'contacts'),
    client_uri: optionalString(input, 'client_uri', true),
    logo_uri: optionalString(input, 'logo_uri', true),
  };
  for (const key of Object.keys(metadata) as Array<keyof ClientMetadata>) {
    if (metadata[key] === undefined) delete metadata[key];
  }
  return metadata;
}

/**
 * The methods that authenticate with a `client_secret`. Only their clients get one: NeonPanel's document
 * returns `client_secret` "when the chosen auth method issues a secret", and a public (`none`) or
 * `private_key_jwt` client could not use it.
 */
const SECRET_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post']);

/** In-memory client registry. */
export class ClientStore {
  private readonly clients = new Map<string, RegisteredClient>();

  /** Registers a client; returns it with the plain RAT (shown once). */
  register(metadata: ClientMetadata): { client: RegisteredClient; registrationAccessToken: string } {
    const rat = opaqueToken('rat');
    const client: RegisteredClient = {
      clientId: `np_${randomBytes(12).toString('hex')}`,
      clientSecret: SECRET_METHODS.has(metadata.token_endpoint_auth_method) ? opaqueToken('secret') : undefined,
      issuedAt: Math.floor(Date.now() / 1000),
      metadata,
      ratHash: hash(rat),
      ratExpiresAt: Date.now() + RAT_LIFETIME_SECONDS * 1000,
    };
    this.clients.set(client.clientId, client);
    return { client, registrationAccessToken: rat };
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId);
  }

  /** The client a RAT manages, or throws 401 `invalid_token` (RFC 7592 §2: unknown clients also get 401). */
  authorize(clientId: string, authorization: string | undefined): RegisteredClient {
    const rat = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!rat) {
      throw new OAuthError('invalid_token', 'send the registration access token as "Authorization: Bearer <RAT>"', 401);
    }
    const client = this.clients.get(clientId);
    if (!client || !sameHash(client.ratHash, hash(rat)) || client.ratExpiresAt < Date.now()) {
      throw new OAuthError('invalid_token', `the registration access token is not valid for client "${clientId}"`, 401);
    }
    return client;
  }

  /** RFC 7592 PATCH: only the fields NeonPanel allows. */
  update(client: ClientRecord, body: unknown, options: { rejectChatgptRedirect: boolean }): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw metadataError('the update must be a JSON object');
    }
    const input = body as Record<string, unknown>;
    const refused = Object.keys(input).find((field) => !PATCHABLE.has(field));
    if (refused) throw metadataError(`${refused} cannot be changed; allowed: ${[...PATCHABLE].join(', ')}`);
    const redirectUris = stringArray(input, 'redirect_uris');
    if (redirectUris) checkRedirectUris(redirectUris, options.rejectChatgptRedirect);
    const next: ClientMetadata = { ...client.metadata };
    if (redirectUris) next.redirect_uris = redirectUris;
    const name = optionalString(input, 'client_name');
    if (name !== undefined) next.client_name = name;
    const contacts = stringArray(input, 'contacts');
    if (contacts) next.contacts = contacts;
    const jwksUri = optionalString(input, 'jwks_uri', true);
    if (jwksUri !== undefined) next.jwks_uri = jwksUri;
    if (input.jwks !== undefined) next.jwks = input.jwks as Record<string, unknown>;
    client.metadata = next;
  }

  delete(clientId: string): void {
    this.clients.delete(clientId);
  }

  rotateRat(client: RegisteredClient): string {
    const rat = opaqueToken('rat');
    client.ratHash = hash(rat);
    client.ratExpiresAt = Date.now() + RAT_LIFETIME_SECONDS * 1000;
    return rat;
  }

  rotateSecret(client: ClientRecord): string {
    const method = client.metadata.token_endpoint_auth_method;
    if (!SECRET_METHODS.has(method)) {
      throw new OAuthError(
        'invalid_request',
        `client "${client.clientId}" authenticates with ${method}, not a client_secret, so it has no secret to rotate`,
      );
    }
    client.clientSecret = opaqueToken('secret');
    return client.clientSecret;
  }

  /** True when `secret` is this client's secret. */
  checkSecret(client: ClientRecord, secret: string): boolean {
    return client.clientSecret !== undefined && sameHash(hash(client.clientSecret), hash(secret));
  }
}
