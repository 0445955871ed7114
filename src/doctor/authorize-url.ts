import { createHash, randomBytes } from 'node:crypto';

/** What an authorization request names besides PKCE. */
export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  resource: string;
  state: string;
  scope: string | undefined;
}

/**
 * An authorization request as an MCP client sends it (response_type code, PKCE S256, `resource`, and
 * `scope` when there is one), with a fresh code verifier; the verifier is for the token request only.
 */
export function authorizeUrl(endpoint: string, params: AuthorizeParams): { url: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    resource: params.resource,
    state: params.state,
    ...(params.scope ? { scope: params.scope } : {}),
  }).toString();
  return { url: url.href, verifier };
}
