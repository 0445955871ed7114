/**
 * `/oauth2/token` (RFC 6749 §3.2, §4.1.3, §4.4, §6): authorization_code with PKCE (RFC 7636),
 * rotating refresh tokens, client_credentials; `resource` per RFC 8707. Clients authenticate as the
 * NeonPanel document lists: client_secret_basic, client_secret_post, private_key_jwt (RFC 7523) or none.
 * Form-encoded in, JSON out, never cached.
 */

import { createHash } from 'node:crypto';
import { type Request, Router } from 'express';
import { ClientAssertions, JWT_BEARER_ASSERTION, assertedClientId } from './client-assertion.js';
import type { ClientRecord, GrantType } from './clients.js';
import {
  type AsContext,
  allValues,
  checkResources,
  checkScope,
  findClient,
  mintAccessToken,
  unknownClientAdvice,
} from './context.js';
import { OAuthError, invalidClient, sendOAuthError } from './errors.js';

type Form = Record<string, unknown>;

function field(form: Form, name: string): string | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be given once`);
  return value;
}

function required(form: Form, name: string): string {
  const value = field(form, name);
  if (!value) throw new OAuthError('invalid_request', `${name} is required`);
  return value;
}

/** How the client authenticates: a secret (HTTP Basic or the form), a signed assertion, or nothing (public). */
interface PresentedCredentials {
  clientId?: string;
  secret?: string;
  /** A `private_key_jwt` assertion (RFC 7523 §2.2); `clientId` is then the client it names. */
  assertion?: string;
}

/** The credentials part of an `Authorization: Basic …` header, or undefined when the request has none. */
function basicCredentials(req: Request): string | undefined {
  return /^Basic\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
}

/** A form-encoded part of HTTP Basic credentials (RFC 6749 §2.3.1), decoded. */
function basicPart(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    throw invalidClient('malformed HTTP Basic credentials: the client id and secret must be form-encoded');
  }
}

/** A `private_key_jwt` assertion from the form, with the client it names; one authentication method per request. */
function presentedAssertion(req: Request, form: Form): PresentedCredentials {
  const assertion = required(form, 'client_assertion');
  const type = field(form, 'client_assertion_type');
  if (type !== JWT_BEARER_ASSERTION) {
    throw invalidClient(
      `client_assertion_type must be "${JWT_BEARER_ASSERTION}" (private_key_jwt), got ${type === undefined ? 'none' : `"${type}"`}`,
    );
  }
  if (basicCredentials(req) !== undefined || field(form, 'client_secret') !== undefined) {
    throw new OAuthError('invalid_request', 'send either a client_assertion or a client secret, not both');
  }
  const clientId = assertedClientId(assertion);
  const named = field(form, 'client_id');
  if (named !== undefined && named !== clientId) {
    throw invalidClient(`client_id "${named}" is not the client_assertion's "sub" ("${clientId}")`);
  }
  return { clientId, assertion };
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1, form-encoded parts), the form body, or an assertion. */
function presentedCredentials(req: Request, form: Form): PresentedCredentials {
  if (field(form, 'client_assertion') !== undefined) return presentedAssertion(req, form);
  const basic = basicCredentials(req);
  if (basic) {
    if (field(form, 'client_secret') !== undefined) {
      throw new OAuthError('invalid_request', 'send client credentials either by HTTP Basic or in the body, not both');
    }
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient('malformed HTTP Basic credentials');
    return { clientId: basicPart(decoded.slice(0, colon)), secret: basicPart(decoded.slice(colon + 1)) };
  }
  return { clientId: field(form, 'client_id'), secret: field(form, 'client_secret') };
}

async function authenticateClient(
  ctx: AsContext,
  assertions: ClientAssertions,
  req: Request,
  form: Form,
): Promise<ClientRecord> {
  const { clientId, secret, assertion } = presentedCredentials(req, form);
  if (!clientId) throw invalidClient('client authentication is required (client_id missing)');
  const client = await findClient(ctx, clientId).catch((error: unknown) => {
    // A metadata document that cannot be used is a failed client authentication here (RFC 6749 §5.2).
    throw error instanceof OAuthError ? invalidClient(error.description) : error;
  });
  if (!client) {
    throw invalidClient(
      `unknown client "${clientId}" (deleted or never registered); ${unknownClientAdvice(ctx, clientId)}`,
    );
  }
  const method = client.metadata.token_endpoint_auth_method;
  const declared = client.fromMetadataDocument
    ? `the metadata document of client "${clientId}" declares`
    : `client "${clientId}" is registered for`;
  if (method === 'private_key_jwt' || assertion !== undefined) {
    if (method !== 'private_key_jwt') {
      throw invalidClient(`${declared} ${method}, not private_key_jwt`);
    }
    if (assertion === undefined) {
      throw invalidClient(`client "${clientId}" must authenticate with a client_assertion (private_key_jwt, RFC 7523)`);
    }
    // RFC 7523 §3: the audience identifies this server, by its issuer or its token endpoint URL.
    await assertions.verify(client, assertion, [ctx.issuer, `${ctx.publicUrl}/oauth2/token`]);
    return client;
  }
  if (method === 'none' && secret !== undefined) {
    throw invalidClient(`${declared} none, so it cannot authenticate with a client secret`);
  }
  if (method !== 'none' && (secret === undefined || !ctx.clients.checkSecret(client, secret))) {
    throw invalidClient(`client "${clientId}" must authenticate with its client_secret`);
  }
  return client;
}

function requireGrant(client: ClientRecord, grant: GrantType): void {
  if (!client.metadata.grant_types.includes(grant)) {
    throw new OAuthError('unauthorized_client', `client "${client.clientId}" is not registered for the ${grant} grant`);
  }
}

/** RFC 8707 §2.2: a token request may narrow the resources granted at authorization, never widen them. */
function narrowResources(ctx: AsContext, form: Form, granted: readonly string[]): string[] {
  const requested = checkResources(ctx, allValues(form.resource));
  if (requested.length === 0) return [...granted];
  const outside = granted.length > 0 ? requested.find((resource) => !granted.includes(resource)) : undefined;
  if (outside) throw new OAuthError('invalid_target', `resource "${outside}" was not granted in the authorization`);
  return requested;
}

function verifyPkce(challenge: string | undefined, verifier: string | undefined): void {
  if (challenge === undefined) return;
  if (!verifier) throw new OAuthError('invalid_grant', 'code_verifier is required (PKCE)');
  if (createHash('sha256').update(verifier).digest('base64url') !== challenge) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge (PKCE)');
  }
}

interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

async function answer(
  ctx: AsContext,
  client: ClientRecord,
  grant: { sub: string; scope: string; resources: string[] },
  withRefreshToken: boolean,
): Promise<TokenAnswer> {
  const accessToken = await mintAccessToken(ctx, { ...grant, clientId: client.clientId });
  const result: TokenAnswer = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ctx.tokenTtlSeconds,
    scope: grant.scope,
  };
  if (withRefreshToken && client.metadata.grant_types.includes('refresh_token')) {
    result.refresh_token = ctx.grants.issueRefreshToken(
      { ...grant, clientId: client.clientId },
      ctx.refreshTokenTtlSeconds,
    );
  }
  return result;
}

async function authorizationCodeGrant(ctx: AsContext, client: ClientRecord, form: Form): Promise<TokenAnswer> {
  requireGrant(client, 'authorization_code');
  const grant = ctx.grants.takeCode(required(form, 'code'));
  if (!grant || grant.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'the authorization code is invalid, expired or already used');
  }
  const redirectUri = field(form, 'redirect_uri');
  if ((grant.redirectUriSent || redirectUri !== undefined) && redirectUri !== grant.redirectUri) {
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the one used in the authorization request');
  }
  verifyPkce(grant.codeChallenge, field(form, 'code_verifier'));
  const resources = narrowResources(ctx, form, grant.resources);
  return answer(ctx, client, { sub: grant.sub, scope: grant.scope, resources }, true);
}

async function refreshTokenGrant(ctx: AsContext, client: ClientRecord, form: Form): Promise<TokenAnswer> {
  requireGrant(client, 'refresh_token');
  const grant = ctx.grants.takeRefreshToken(required(form, 'refresh_token'));
  if (!grant || grant.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'the refresh token is invalid, expired or already used (tokens rotate)');
  }
  const requested = field(form, 'scope');
  const scope = requested === undefined ? grant.scope : checkScope(ctx, requested);
  const outside = scope.split(' ').find((item) => item && !grant.scope.split(' ').includes(item));
  if (outside) throw new OAuthError('invalid_scope', `scope "${outside}" was not granted originally`);
  const resources = narrowResources(ctx, form, grant.resources);
  return answer(ctx, client, { sub: grant.sub, scope, resources }, true);
}

async function clientCredentialsGrant(ctx: AsContext, client: ClientRecord, form: Form): Promise<TokenAnswer> {
  if (client.metadata.token_endpoint_auth_method === 'none') {
    throw new OAuthError('unauthorized_client', 'public clients cannot use the client_credentials grant');
  }
  requireGrant(client, 'client_credentials');
  const scope = checkScope(ctx, field(form, 'scope'));
  const resources = checkResources(ctx, allValues(form.resource));
  return answer(ctx, client, { sub: client.clientId, scope, resources }, false);
}

const GRANTS = new Map<string, (ctx: AsContext, client: ClientRecord, form: Form) => Promise<TokenAnswer>>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
]);

/** The token endpoint's route. */
export function tokenRouter(ctx: AsContext): Router {
  const router = Router();
  const assertions = new ClientAssertions(ctx.cimd?.jwksFetch);
  router.post('/oauth2/token', async (req, res) => {
    try {
      if (!req.is('application/x-www-form-urlencoded')) {
        throw new OAuthError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
      }
      const form = (req.body ?? {}) as Form;
      const grantType = required(form, 'grant_type');
      const handler = GRANTS.get(grantType);
      if (!handler) {
        // NeonPanel 1.2 lists an sso_token grant (sign-in without UI); what makes its token valid is not public.
        const why = grantType === 'sso_token' ? "NeonPanel's sso_token grant is not modelled by the sandbox" : '';
        throw new OAuthError(
          'unsupported_grant_type',
          `grant_type "${grantType}" is not supported${why && `: ${why}`}`,
        );
      }
      const client = await authenticateClient(ctx, assertions, req, form);
      const result = await handler(ctx, client, form);
      res.status(200).set('Cache-Control', 'no-store').set('Pragma', 'no-cache').json(result);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401 && /^Basic /i.test(req.get('authorization') ?? '')) {
        res.set('WWW-Authenticate', 'Basic realm="NeonPanel sandbox"');
      }
      sendOAuthError(res, error);
    }
  });
  return router;
}
