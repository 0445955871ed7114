/**
 * Open dynamic client registration (RFC 7591) at `/oauth2/register` and client management (RFC 7592)
 * at `/oauth2/register/{client_id}` plus NeonPanel's `/rotate` (new RAT) and `/rotate-secret`.
 */

import { type Request, type Response, Router } from 'express';
import { parseRegistration, RAT_LIFETIME_SECONDS, type RegisteredClient } from './clients.js';
import type { AsContext } from './context.js';
import { OAuthError, sendOAuthError } from './errors.js';

/** The RAT the caller sent (already checked by `ClientStore.authorize`). */
function presentedRat(authorization: string | undefined): string | undefined {
  return authorization?.replace(/^Bearer /i, '');
}

function registrationResponse(ctx: AsContext, client: RegisteredClient, registrationAccessToken?: string) {
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
  /** The client a management request names, once the RAT it presents is checked. */
  const managedClient = (req: Request<{ clientId: string }>) =>
    ctx.clients.authorize(req.params.clientId, req.get('authorization'));
  const sendOk = (res: Response, body: object) => res.status(200).set(noStore).json(body);
  // Read and update answer with the RAT the caller sent (RFC 7592 §3 does not re-issue it on read, nor does this
  // sandbox on update); the response still names it as required by the document.
  const sendRegistration = (req: Request, res: Response, client: RegisteredClient) =>
    sendOk(res, registrationResponse(ctx, client, presentedRat(req.get('authorization'))));

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
    sendRegistration(req, res, managedClient(req));
  });

  router.patch('/oauth2/register/:clientId', (req, res) => {
    const client = managedClient(req);
    ctx.clients.update(client, req.body, rejectChatgpt());
    sendRegistration(req, res, client);
  });

  router.delete('/oauth2/register/:clientId', (req, res) => {
    ctx.clients.delete(managedClient(req).clientId);
    res.status(204).end();
  });

  router.post('/oauth2/register/:clientId/rotate', (req, res) => {
    const rat = ctx.clients.rotateRat(managedClient(req));
    sendOk(res, {
      registration_access_token: rat,
      issued_at: Math.floor(Date.now() / 1000),
      expires_in: RAT_LIFETIME_SECONDS,
    });
  });

  router.post('/oauth2/register/:clientId/rotate-secret', (req, res) => {
    const client = managedClient(req);
    const secret = ctx.clients.rotateSecret(client);
    sendOk(res, { client_id: client.clientId, client_secret: secret, client_secret_expires_at: 0 });
  });

  return router;
}
