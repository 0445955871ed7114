/**
 * RFC 8414 authorization-server metadata and the JWKS. There is deliberately no
 * `/.well-known/openid-configuration`: NeonPanel has none, and the 404 is part of what clients see
 * (unless the `fakeOpenidConfiguration` misbehaviour serves the broken alias some issuers have).
 */

import { Router } from 'express';
import { type AsContext, supportedScopes } from './context.js';

/** The metadata document: the fields of the seed document's Step 2, built from the sandbox's URL. */
export function authorizationServerMetadata(ctx: AsContext): Record<string, unknown> {
  return {
    issuer: ctx.misbehave.current.metadataIssuer ?? ctx.issuer,
    authorization_endpoint: `${ctx.publicUrl}/oauth2/authorize`,
    registration_endpoint: `${ctx.publicUrl}/oauth2/register`,
    token_endpoint: `${ctx.publicUrl}/oauth2/token`,
    jwks_uri: `${ctx.publicUrl}/.well-known/jwks.json`,
    scopes_supported: supportedScopes(ctx),
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt', 'client_secret_post', 'client_secret_basic'],
    code_challenge_methods_supported: ['S256'],
    ...(ctx.cimd ? { client_id_metadata_document_supported: true } : {}),
  };
}

/** The well-known routes. */
export function metadataRouter(ctx: AsContext): Router {
  const router = Router();
  router.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json(authorizationServerMetadata(ctx));
  });
  router.get('/.well-known/openid-configuration', (_req, res, next) => {
    if (!ctx.misbehave.current.fakeOpenidConfiguration) return next();
    // The OAuth document under the OIDC name: no subject_types_supported, no id_token_signing_alg_values_supported.
    res.json(authorizationServerMetadata(ctx));
  });
  router.get('/.well-known/jwks.json', (_req, res) => {
    if (ctx.misbehave.current.jwksDown) {
      res
        .status(503)
        .set('Retry-After', '30')
        .json({ error: 'temporarily_unavailable', error_description: 'JWKS is down (sandbox misbehaviour jwksDown)' });
      return;
    }
    res.set('Cache-Control', 'public, max-age=300').json(ctx.keys.jwks());
  });
  return router;
}
