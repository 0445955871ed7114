/**
 * Open dynamic client registration (RFC 7591) at `/oauth2/register` and client management (RFC 7592)
 * at `/oauth2/register/{client_id}` plus NeonPanel's `/rotate` (new RAT) and `/rotate-secret`.
 */

import { Router } from 'express';
import { type ClientRecord, parseRegistration, RAT_LIFETIME_SECONDS } from './clients.js';
import type { AsContext } from './context.js';
import { OAuthError, sendOAuthError } from './errors.js';

/** The RAT the caller sent (already checked by `ClientStore.authorize`). */
function presentedRat(authorization: string | undefined): string | undefined {
  return authorization?.replace(/^Bearer /i, '');
}

function registrationResponse(ctx: AsContext, client: ClientRecord, registrationAccessToken?: string) {
  return {
    ...client.metadata,
    client_id: client.clientId,
    ...(client.clientSecret ? { client_secret: client.clientSecret, client_secret_expires_at: 0 } : {}),
    client_id_issued_at: client.issuedAt,
    registration_client_uri: `${ctx.publicUrl}/oauth2/register/${encodeURIComponent(client.clientId)}`,
    ...(registrationAccessToken ? { registration_access_token: registrationAccessToken } : {}),
  };
}

/** The DCR routes. */
export function registerRouter(ctx: AsContext): Router {
  const router = Router();
  const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  const rejectChatgpt = () => ({ rejectChatgptRedirect: ctx.misbehave.current.rejectChatgptRedirect === true });

  router.post('/oauth2/register', (req, res) => {
    if (!req.is('application/json')) {
      return sendOAuthError(
        res,
        new OAuthError('invalid_client_metadata', 'send the registration as application/json'),
      );
    }
    const metadata = parseRegistration(req.body, rejectChatgpt());
    const { client, registrationAccessToken } = ctx.clients.register(metadata);
    res
      .status(201)
      .set(noStore)
      .json(registrationResponse(ctx, client, registrationAccessToken));
  });

  router.get('/oauth2/register/:clientId', (req, res) => {
    const client = ctx.clients.authorize(req.params.clientId, req.get('authorization'));
    // RFC 7592 §3 does not re-issue the RAT on read; the response still names it as required by the document.
    res
      .status(200)
      .set(noStore)
      .json(registrationResponse(ctx, client, presentedRat(req.get('authorization'))));
  });

  router.patch('/oauth2/register/:clientId', (req, res) => {
    const client = ctx.clients.authorize(req.params.clientId, req.get('authorization'));
    ctx.clients.update(client, req.body, rejectChatgpt());
    res
      .status(200)
      .set(noStore)
      .json(registrationResponse(ctx, client, presentedRat(req.get('authorization'))));
  });

  router.delete('/oauth2/register/:clientId', (req, res) => {
    const client = ctx.clients.authorize(req.params.clientId, req.get('authorization'));
    ctx.clients.delete(client.clientId);
    res.status(204).end();
  });

  router.post('/oauth2/register/:clientId/rotate', (req, res) => {
    const client = ctx.clients.authorize(req.params.clientId, req.get('authorization'));
    const rat = ctx.clients.rotateRat(client);
    res
      .status(200)
      .set(noStore)
      .json({
        registration_access_token: rat,
        issued_at: Math.floor(Date.now() / 1000),
        expires_in: RAT_LIFETIME_SECONDS,
      });
  });

  router.post('/oauth2/register/:clientId/rotate-secret', (req, res) => {
    const client = ctx.clients.authorize(req.params.clientId, req.get('authorization'));
    const secret = ctx.clients.rotateSecret(client);
    res
      .status(200)
      .set(noStore)
      .json({ client_id: client.clientId, client_secret: secret, client_secret_expires_at: 0 });
  });

  return router;
}
