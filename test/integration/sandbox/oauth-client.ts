/** A tiny OAuth client for the sandbox tests: DCR, PKCE, the consent form over HTTP, the token endpoint. */

import { createHash, randomBytes } from 'node:crypto';

export interface Registration {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
  redirect_uris: string[];
  [field: string]: unknown;
}

export async function register(baseUrl: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${baseUrl}/oauth2/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function registerPublicClient(baseUrl: string, redirectUri = 'http://127.0.0.1:7777/callback') {
  const response = await register(baseUrl, {
    client_name: 'sandbox test client',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
  if (response.status !== 201) throw new Error(`DCR failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Registration;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(baseUrl: string, params: Record<string, string | string[]>): string {
  const url = new URL(`${baseUrl}/oauth2/authorize`);
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, item);
  }
  return url.href;
}

/** The authorize URL of a code request from `clientId` with a fresh S256 challenge, plus `extra` parameters. */
export function codeAuthorizeUrl(baseUrl: string, clientId: string, extra: Record<string, string> = {}): string {
  return authorizeUrl(baseUrl, {
    response_type: 'code',
    client_id: clientId,
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

/** Loads the consent page and submits it as `user`; returns the redirect Location. */
export async function approveAs(authorizeHref: string, user: string, decision = 'approve'): Promise<URL> {
  const page = await fetch(authorizeHref, { redirect: 'manual' });
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !requestId) throw new Error(`no consent page: ${page.status} ${html.slice(0, 300)}`);
  const origin = new URL(authorizeHref).origin;
  const answer = await fetch(`${origin}/oauth2/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: requestId, user, decision }),
  });
  if (answer.status !== 302) throw new Error(`consent answer ${answer.status}: ${await answer.text()}`);
  return new URL(answer.headers.get('location') ?? '');
}

export async function tokenRequest(
  baseUrl: string,
  form: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/** The whole authorization-code + PKCE flow as `user` for a fresh public client. */
export async function loginAs(
  baseUrl: string,
  user: string,
  options: { resource?: string; scope?: string } = {},
): Promise<{ client: Registration; tokens: TokenSet }> {
  const redirectUri = 'http://127.0.0.1:7777/callback';
  const client = await registerPublicClient(baseUrl, redirectUri);
  const { verifier, challenge } = pkcePair();
  const extra: Record<string, string> = {};
  if (options.resource) extra.resource = options.resource;
  const location = await approveAs(
    authorizeUrl(baseUrl, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: options.scope ?? 'openid',
      state: 'xyz',
      ...extra,
    }),
    user,
  );
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.href}`);
  const response = await tokenRequest(baseUrl, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    client_id: client.client_id,
    ...extra,
  });
  if (response.status !== 200) throw new Error(`token failed: ${response.status} ${await response.text()}`);
  return { client, tokens: (await response.json()) as TokenSet };
}
