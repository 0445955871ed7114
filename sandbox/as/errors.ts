/** OAuth error responses (RFC 6749 §5.2, RFC 7591 §3.2.2) as JSON with `error` and `error_description`. */

import type { Response } from 'express';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'invalid_token'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

/** An expected protocol failure; the route turns it into a JSON answer or an error redirect. */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/** Client authentication failed (RFC 6749 §5.2): always 401. */
export function invalidClient(description: string): OAuthError {
  return new OAuthError('invalid_client', description, 401);
}

/** Sends `error` as JSON, never cached. */
export function sendOAuthError(res: Response, error: OAuthError): void {
  res
    .status(error.status)
    .set('Cache-Control', 'no-store')
    .set('Pragma', 'no-cache')
    .json({ error: error.code, error_description: error.description });
}
