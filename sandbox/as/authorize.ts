/**
 * `/oauth2/authorize` (RFC 6749 §4.1 with PKCE S256 only, RFC 7636; `resource` per RFC 8707).
 * GET checks the request and shows the login/consent page (or approves at once with `autoApprove`);
 * POST is that page's form. Errors go back to the client's redirect URI once it is known to be valid
 * (RFC 6749 §4.1.2.1), as JSON 400 before that.
 */

import { type Request, type Response, Router } from 'express';
import type { ClientRecord } from './clients.js';
import { type AsContext, allValues, checkResources, checkScope, findClient, unknownClientAdvice } from './context.js';
import { OAuthError, sendOAuthError } from './errors.js';
import type { PendingAuthorization } from './grants.js';
import { redirectUriMatches, redirectUriProblem } from './redirect-uris.js';
import { renderConsentPage, renderErrorPage } from './consent-page.js';

/** RFC 7636 §4.2: 43–128 characters of the unreserved set. */
const CODE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

function single(query: Request['query'], name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be given once`);
  return value;
}

/** Steps of RFC 6749 §4.1.2.1 that must not redirect: the client and its redirect URI. */
async function resolveClientAndRedirect(
  ctx: AsContext,
  req: Request,
): Promise<{ client: ClientRecord; redirectUri: string }> {
  const clientId = single(req.query, 'client_id');
  if (!clientId) throw new OAuthError('invalid_request', 'client_id is required');
  const client = await findClient(ctx, clientId);
  if (!client) {
    throw new OAuthError('invalid_request', `unknown client_id "${clientId}"; ${unknownClientAdvice(ctx, clientId)}`);
  }
  const requested = single(req.query, 'redirect_uri');
  const registered = client.metadata.redirect_uris;
  const where = client.fromMetadataDocument ? "listed in the client's metadata document" : 'registered for this client';
  const redirectUri = requested ?? (registered.length === 1 ? registered[0] : undefined);
  if (!redirectUri) {
    throw new OAuthError('invalid_request', `redirect_uri is required when several are ${where}`);
  }
  if (!registered.some((uri) => redirectUriMatches(uri, redirectUri))) {
    throw new OAuthError('invalid_request', `redirect_uri "${redirectUri}" is not ${where}`);
  }
  const problem = redirectUriProblem(redirectUri, {
    rejectChatgptRedirect: ctx.misbehave.current.rejectChatgptRedirect,
  });
  if (problem) throw new OAuthError('invalid_request', problem);
  return { client, redirectUri };
}

/** The checks whose failures are redirected back to the client. */
function checkRequest(ctx: AsContext, req: Request, client: ClientRecord) {
  const responseType = single(req.query, 'response_type');
  if (responseType !== 'code') {
    throw new OAuthError('unsupported_response_type', `response_type must be "code", got "${responseType ?? ''}"`);
  }
  const codeChallenge = single(req.query, 'code_challenge');
  const method = single(req.query, 'code_challenge_method');
  if (codeChallenge !== undefined || method !== undefined) {
    if (method !== 'S256') throw new OAuthError('invalid_request', 'code_challenge_method must be S256');
    if (!codeChallenge || !CODE_CHALLENGE.test(codeChallenge)) {
      throw new OAuthError('invalid_request', 'code_challenge must be 43-128 characters of [A-Za-z0-9._~-]');
    }
  } else if (client.metadata.token_endpoint_auth_method === 'none') {
    throw new OAuthError('invalid_request', 'public clients must use PKCE: send code_challenge with S256');
  }
  return {
    codeChallenge,
    scope: checkScope(ctx, single(req.query, 'scope')),
    resources: checkResources(ctx, allValues(req.query.resource)),
  };
}

function redirectTo(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(name, value);
  res.redirect(302, target.href);
}

async function approve(
  ctx: AsContext,
  res: Response,
  pending: Omit<PendingAuthorization, 'id' | 'expiresAt'>,
  sub: string,
) {
  const code = ctx.grants.issueCode({
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    redirectUriSent: pending.redirectUriSent,
    scope: pending.scope,
    resources: pending.resources,
    codeChallenge: pending.codeChallenge,
    sub,
  });
  redirectTo(res, pending.redirectUri, { code, state: pending.state, iss: ctx.issuer });
}

/** The authorization endpoint's routes. */
export function authorizeRouter(ctx: AsContext): Router {
  const router = Router();

  router.get('/oauth2/authorize', async (req, res) => {
    let target: { client: ClientRecord; redirectUri: string };
    try {
      target = await resolveClientAndRedirect(ctx, req);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      // No trusted redirect: a browser gets a page saying what is wrong, a program the JSON error.
      if (req.accepts(['application/json', 'text/html']) === 'text/html') {
        res.status(error.status).type('html').set('Cache-Control', 'no-store').send(renderErrorPage(error));
        return;
      }
      return sendOAuthError(res, error);
    }
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    try {
      const checked = checkRequest(ctx, req, target.client);
      const pending = {
        clientId: target.client.clientId,
        redirectUri: target.redirectUri,
        redirectUriSent: req.query.redirect_uri !== undefined,
        state,
        ...checked,
      };
      if (ctx.autoApprove) return approve(ctx, res, pending, ctx.autoApprove);
      const stored = ctx.grants.addPending(pending);
      res
        .status(200)
        .type('html')
        .set('Cache-Control', 'no-store')
        .send(
          renderConsentPage({ requestId: stored.id, client: target.client, scope: stored.scope, users: ctx.users }),
        );
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      redirectTo(res, target.redirectUri, {
        error: error.code,
        error_description: error.description,
        state,
        iss: ctx.issuer,
      });
    }
  });

  router.post('/oauth2/authorize', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pending = typeof body.request_id === 'string' ? ctx.grants.takePending(body.request_id) : undefined;
    if (!pending) {
      return sendOAuthError(
        res,
        new OAuthError('invalid_request', 'the authorization request expired or was already answered; start again'),
      );
    }
    if (body.decision === 'deny') {
      return redirectTo(res, pending.redirectUri, {
        error: 'access_denied',
        error_description: 'the user denied the request',
        state: pending.state,
        iss: ctx.issuer,
      });
    }
    const user = typeof body.user === 'string' ? ctx.users[body.user] : undefined;
    if (!user) {
      return sendOAuthError(
        res,
        new OAuthError('invalid_request', `unknown user; choose one of ${Object.keys(ctx.users).join(', ')}`),
      );
    }
    return approve(ctx, res, pending, user.id);
  });

  return router;
}
