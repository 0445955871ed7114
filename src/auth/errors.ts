/**
 * Why a request was refused by the resource server. Callers `switch (err.code)`; the description is
 * for people (it ends up in `error_description` and the JSON body) and never contains the token.
 */
export type AuthErrorCode =
  | 'missing_token'
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'unknown_kid'
  | 'missing_kid'
  | 'alg_not_allowed'
  | 'bad_signature'
  | 'missing_claim'
  | 'insufficient_scope'
  | 'token_in_query'
  | 'multiple_tokens'
  | 'unsupported_scheme'
  | 'jwks_unavailable';

/** RFC 6750 §3.1 error codes carried in `WWW-Authenticate`. */
export type BearerErrorCode = 'invalid_token' | 'invalid_request' | 'insufficient_scope';

/**
 * How each code is answered. `invalid_request` is RFC 6750's code for a request that sends the token
 * the wrong way (query string, body, twice, another scheme); the status stays 401 so every client
 * starts its OAuth discovery from the challenge. `jwks_unavailable` is our fault, not the token's:
 * 503, so clients keep their token and retry instead of logging the user in again.
 */
const ANSWERS: Record<AuthErrorCode, { httpStatus: 401 | 403 | 503; bearerError: BearerErrorCode | undefined }> = {
  missing_token: { httpStatus: 401, bearerError: undefined },
  malformed: { httpStatus: 401, bearerError: 'invalid_token' },
  expired: { httpStatus: 401, bearerError: 'invalid_token' },
  not_yet_valid: { httpStatus: 401, bearerError: 'invalid_token' },
  wrong_issuer: { httpStatus: 401, bearerError: 'invalid_token' },
  wrong_audience: { httpStatus: 401, bearerError: 'invalid_token' },
  unknown_kid: { httpStatus: 401, bearerError: 'invalid_token' },
  missing_kid: { httpStatus: 401, bearerError: 'invalid_token' },
  alg_not_allowed: { httpStatus: 401, bearerError: 'invalid_token' },
  bad_signature: { httpStatus: 401, bearerError: 'invalid_token' },
  missing_claim: { httpStatus: 401, bearerError: 'invalid_token' },
  insufficient_scope: { httpStatus: 403, bearerError: 'insufficient_scope' },
  token_in_query: { httpStatus: 401, bearerError: 'invalid_request' },
  multiple_tokens: { httpStatus: 401, bearerError: 'invalid_request' },
  unsupported_scheme: { httpStatus: 401, bearerError: 'invalid_request' },
  jwks_unavailable: { httpStatus: 503, bearerError: undefined },
};

/** A refused token or request. `description` is safe to show: it never contains the token. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly httpStatus: 401 | 403 | 503;
  /** RFC 6750 `error` for the challenge; undefined when no token was sent (bare challenge, §3.1). */
  readonly bearerError: BearerErrorCode | undefined;

  constructor(
    readonly code: AuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.httpStatus = ANSWERS[code].httpStatus;
    this.bearerError = ANSWERS[code].bearerError;
  }
}

/**
 * A claim or header value from an untrusted token, made safe to quote in a description and in the
 * `WWW-Authenticate` quoted-string (RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E only): `"` becomes
 * `'`, other characters `?`, and long values are cut so a description stays one readable line.
 */
export function quoteUntrusted(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const printable = text.replaceAll('"', "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}...` : printable;
}
