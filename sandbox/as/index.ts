/**
 * The sandbox's OAuth authorization server: NeonPanel's routes as the OAuth part of API 1.2 describes them
 * (openapi/neonpanel-api.openapi.json: /oauth2/*, the `openid` scope), plus client ID metadata documents
 * when CIMD is on (cimd.ts).
 */

import express, { type ErrorRequestHandler, Router } from 'express';
import { authorizeRouter } from './authorize.js';
import type { AsContext } from './context.js';
import { corsMiddleware } from './cors.js';
import { OAuthError, sendOAuthError } from './errors.js';
import { metadataRouter } from './metadata.js';
import { registerRouter } from './register.js';
import { tokenRouter } from './token.js';

/** OAuth errors thrown by a route, and unreadable bodies, become JSON OAuth errors. */
const oauthErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (error instanceof OAuthError) return sendOAuthError(res, error);
  if (error && typeof error === 'object' && 'type' in error && typeof error.status === 'number' && error.status < 500) {
    const reason =
      error.type === 'entity.too.large' ? 'the request body is too large' : 'the request body is malformed';
    return sendOAuthError(res, new OAuthError('invalid_request', reason, error.status));
  }
  next(error);
};

/** All AS routes, with CORS and their body parsers. */
export function authorizationServer(ctx: AsContext): Router {
  const router = Router();
  const cors = corsMiddleware(ctx.misbehave);
  router.use(['/.well-known', '/oauth2'], cors);
  router.use('/oauth2', express.urlencoded({ extended: false, limit: '64kb' }), express.json({ limit: '64kb' }));
  router.use(metadataRouter(ctx), registerRouter(ctx), authorizeRouter(ctx), tokenRouter(ctx));
  router.use(oauthErrors);
  return router;
}
