/**
 * The token requests of `doctor --login`: the code exchange and a refresh, as a public client sends them
 * (form body, client_id, PKCE verifier, `resource`). Tokens stay in memory; the curl lines name them as
 * shell variables.
 */
import { asObject, probe } from '../http.js';
import { fail, pass } from '../result.js';
import type { DoctorContext } from '../types.js';
import { oauthError } from '../checks/register.js';
import type { AuthorizationRequest, Discovered, LoginClient, Step } from './oauth.js';

/** Tokens from the token endpoint (kept in memory only). */
export interface Tokens {
  access: string;
  refresh: string | undefined;
  expiresIn: number | undefined;
}

/**
 * The curl line of a token request with every secret replaced by a shell variable; the body is in double
 * quotes so that the shell expands them (the other values are URL-encoded, so hold no `"`, `$` or `\``).
 */
function tokenCurl(endpoint: string, form: Record<string, string>, secrets: Record<string, string>): string {
  const shown = Object.entries(form).map(([k, v]) => `${k}=${secrets[k] ?? encodeURIComponent(v)}`);
  return `curl -sS -i -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "${shown.join('&')}" '${endpoint}'`;
}

function readTokens(json: unknown): Tokens | undefined {
  const doc = asObject(json);
  if (typeof doc?.['access_token'] !== 'string') return undefined;
  return {
    access: doc['access_token'],
    refresh: typeof doc['refresh_token'] === 'string' ? doc['refresh_token'] : undefined,
    expiresIn: typeof doc['expires_in'] === 'number' ? doc['expires_in'] : undefined,
  };
}

/** How one grant is judged: the check's id and title, its fix, and what a pass says of the tokens. */
interface GrantCheck {
  id: string;
  title: string;
  fix: string;
  passed(tokens: Tokens): string;
}

/**
 * One grant at the token endpoint, judged as `check`: the tokens, or why there are none (the issuer's
 * OAuth error; a 200 without an access token is not quoted, as its body may hold other tokens).
 */
async function grant(
  ctx: DoctorContext,
  endpoint: string,
  form: Record<string, string>,
  secrets: Record<string, string>,
  check: GrantCheck,
): Promise<Step<Tokens>> {
  const curl = tokenCurl(endpoint, form, secrets);
  // probe's own curl line would carry the secrets: the result shows `curl` (shell variables) instead.
  const res = await probe(ctx, {
    method: 'POST',
    url: endpoint,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const tokens = res.ok && res.status === 200 ? readTokens(res.json) : undefined;
  if (tokens) return { result: pass(check.id, check.title, { detail: check.passed(tokens), curl }), value: tokens };
  const detail = !res.ok
    ? res.error
    : res.status === 200
      ? 'HTTP 200 without an access_token.'
      : `HTTP ${res.status} ${oauthError(res.json, res.text)}`;
  return { result: fail(check.id, check.title, { detail, fix: check.fix, curl }) };
}

/** The authorization code for tokens (PKCE verifier, same redirect URI, `resource`). */
export function exchangeCode(
  ctx: DoctorContext,
  found: Discovered,
  client: LoginClient,
  code: string,
  request: AuthorizationRequest,
  redirectUri: string,
): Promise<Step<Tokens>> {
  const form = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: client.clientId,
    code_verifier: request.verifier,
    resource: found.resource,
  };
  return grant(
    ctx,
    found.tokenEndpoint,
    form,
    { code: '$CODE', code_verifier: '$VERIFIER' },
    {
      id: 'login.token',
      title: 'Token exchange (authorization_code + PKCE)',
      fix: 'Have the token endpoint accept a public client (no secret) with code_verifier and resource.',
      passed: (tokens) => {
        const expiry = tokens.expiresIn !== undefined ? `, expires in ${tokens.expiresIn} s` : '';
        return `access token received${tokens.refresh ? ' with a refresh token' : ''}${expiry} (not shown).`;
      },
    },
  );
}

/** A refresh as clients do it when the access token expires. */
export async function refresh(
  ctx: DoctorContext,
  found: Discovered,
  client: LoginClient,
  tokens: Tokens,
): Promise<Step<Tokens>> {
  const title = 'Token refresh';
  if (!tokens.refresh) {
    return {
      result: fail('login.refresh', title, {
        detail: 'the token response had no refresh_token.',
        fix: 'Issue refresh tokens to public clients (grant_types refresh_token), or people must sign in again whenever the access token expires.',
      }),
    };
  }
  const form = {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh,
    client_id: client.clientId,
    resource: found.resource,
  };
  const step = await grant(
    ctx,
    found.tokenEndpoint,
    form,
    { refresh_token: '$REFRESH_TOKEN' },
    {
      id: 'login.refresh',
      title,
      fix: 'Have the token endpoint accept refresh_token grants from public clients, with resource.',
      passed: () => 'a new access token was issued (not shown).',
    },
  );
  // An issuer that does not rotate refresh tokens keeps the one the client has.
  return step.value ? { ...step, value: { ...step.value, refresh: step.value.refresh ?? tokens.refresh } } : step;
}
