import type { AuthError } from './errors.js';

/**
 * The MCP routes a challenge can name; `/messages` shares the legacy `sse` metadata, and the read-only
 * endpoint `/mcp/readonly` has its own (RFC 9728 §3.1: one metadata document per resource path).
 */
export type ProtectedRoute = 'mcp' | 'mcp/readonly' | 'sse';

/** `<publicUrl>/.well-known/oauth-protected-resource/<route>` (RFC 9728 §3.1, path inserted after the well-known prefix). */
export function resourceMetadataUrl(publicUrl: string, route: ProtectedRoute): string {
  return `${publicUrl}/.well-known/oauth-protected-resource/${route}`;
}

/** What a refused request is answered with: status, `WWW-Authenticate`, and the same in JSON for people. */
export interface Challenge {
  status: number;
  wwwAuthenticate: string;
  body: { error: string; error_description: string; resource_metadata: string; hint: string };
}

/**
 * Builds the RFC 6750 §3 / RFC 9728 §5.1 challenge. When no token was sent the header is bare
 * (`Bearer resource_metadata=…, scope=…`, §3.1: no error code); otherwise it adds `error` and an
 * `error_description` that says what was wrong. Values are already quoted-string safe: descriptions
 * pass untrusted parts through `quoteUntrusted`.
 */
export function buildChallenge(
  error: AuthError,
  options: { publicUrl: string; route: ProtectedRoute; scopes: string[] | undefined },
): Challenge {
  const metadataUrl = resourceMetadataUrl(options.publicUrl, options.route);
  const params = [`resource_metadata="${metadataUrl}"`];
  if (options.scopes?.length) params.push(`scope="${options.scopes.join(' ')}"`);
  if (error.bearerError) {
    params.push(`error="${error.bearerError}"`, `error_description="${error.description.replace(/["\\]/g, "'")}"`);
  }
  return {
    status: error.httpStatus,
    wwwAuthenticate: `Bearer ${params.join(', ')}`,
    body: {
      error: error.bearerError ?? (error.code === 'missing_token' ? 'unauthorized' : error.code),
      error_description: error.description,
      resource_metadata: metadataUrl,
      hint: hintFor(error, metadataUrl),
    },
  };
}

function hintFor(error: AuthError, metadataUrl: string): string {
  switch (error.code) {
    case 'missing_token':
      return `Send "Authorization: Bearer <access token>". MCP clients find how to get one at ${metadataUrl}.`;
    case 'token_in_query':
    case 'multiple_tokens':
    case 'unsupported_scheme':
      return 'Send exactly one access token, in the header "Authorization: Bearer <access token>", never in the URL or body.';
    case 'insufficient_scope':
      return 'Sign in again and grant the scopes listed in the WWW-Authenticate header.';
    case 'jwks_unavailable':
      return 'The bridge cannot reach the issuer to check tokens; your token was not rejected. Retry shortly.';
    default:
      return `The token was refused; get a new one from the authorization server named at ${metadataUrl}.`;
  }
}
