/**
 * `--register`: a real RFC 7591 registration at the issuer with each selected client's redirect URI
 * shape, then an authorize request with `resource`, PKCE and scope, reporting what the issuer accepted
 * (and, for clients that add one, the same request with a trailing slash on `resource`).
 * Registered clients are deleted again (RFC 7592) when the issuer allows it. CIMD clients are tried in
 * cimd-authorize.ts.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { authorizeUrl } from '../authorize-url.js';
import { asObject, excerpt, probe } from '../http.js';
import type { ClientProfile } from '../profiles.js';
import { fail, pass, skip, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';

/** Fills `{port}` and `{id}` in a profile's redirect URI shape. */
export function concreteRedirectUri(shape: string): string {
  return shape
    .replace('{port}', String(randomInt(20_000, 60_000)))
    .replace('{id}', `doctor-${randomBytes(4).toString('hex')}`);
}

export function oauthError(body: unknown, text: string): string {
  const doc = asObject(body);
  if (doc?.['error']) return `${doc['error']}${doc['error_description'] ? `: ${doc['error_description']}` : ''}`;
  // An error page for the person: its words, without markup, styles or the title.
  const words = text.replace(/<(style|script|title)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
  return excerpt(words) || '(empty body)';
}

export function scopesToRequest(ctx: DoctorContext): string | undefined {
  const scopes = ctx.facts.prm?.['scopes_supported'];
  return Array.isArray(scopes) && scopes.length ? scopes.join(' ') : undefined;
}

/** Registration then authorization for every selected client. */
export async function checkRegistration(ctx: DoctorContext): Promise<CheckResult[]> {
  if (!ctx.register) return [];
  const as = ctx.facts.asMetadata;
  const authorize = as?.['authorization_endpoint'];
  if (!as || typeof authorize !== 'string') {
    return [skip('register', 'Client registration', 'The issuer metadata has no authorization endpoint.')];
  }
  const endpoint = as['registration_endpoint'];
  const results: CheckResult[] = [];
  if (typeof endpoint === 'string') {
    for (const profile of ctx.clients) {
      results.push(...(await registerAndAuthorize(ctx, profile, endpoint, authorize)));
    }
  } else {
    results.push(skip('register', 'Dynamic client registration', 'The issuer has no registration_endpoint.'));
  }
  return results;
}

async function registerAndAuthorize(
  ctx: DoctorContext,
  profile: ClientProfile,
  endpoint: string,
  authorize: string,
): Promise<CheckResult[]> {
  const redirectUris = profile.redirectUris.value.map(concreteRedirectUri);
  const scope = scopesToRequest(ctx);
  const title = `Registration as ${profile.name}`;
  const res = await probe(ctx, {
    method: 'POST',
    url: endpoint,
    headers: { Accept: 'application/json' },
    body: {
      client_name: `neonpanel-mcp doctor (${profile.id})`,
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...(scope ? { scope } : {}),
    },
  });
  const doc = res.ok ? asObject(res.json) : undefined;
  const clientId = doc?.['client_id'];
  if (!res.ok || res.status >= 300 || typeof clientId !== 'string') {
    return [
      fail(`register.${profile.id}`, title, {
        detail: `redirect_uris ${redirectUris.join(', ')} → ${res.ok ? `HTTP ${res.status} ${oauthError(res.json, res.text)}` : res.error}.`,
        fix: `Have the issuer accept ${profile.redirectUris.value.join(', ')} at registration (${profile.name}'s callback, ${profile.redirectUris.source}).`,
        curl: res.curl,
      }),
    ];
  }
  const results = [
    pass(`register.${profile.id}`, title, {
      detail: `client registered with ${redirectUris.join(', ')}.`,
      curl: res.curl,
    }),
  ];
  const client: RegisteredClient = { profile, authorize, clientId, redirectUri: redirectUris[0]!, scope };
  const authorized = await tryAuthorize(ctx, client);
  results.push(authorized);
  // Only meaningful once the plain resource is accepted: otherwise the issuer refuses both the same way.
  if (profile.resourceTrailingSlash?.value && authorized.status === 'pass') {
    results.push(await tryTrailingSlash(ctx, client));
  }
  await deleteRegistration(ctx, doc);
  return results;
}

/** A client the doctor just registered, and where it asks for authorization. */
export interface RegisteredClient {
  profile: ClientProfile;
  /** The issuer's authorization endpoint. */
  authorize: string;
  clientId: string;
  redirectUri: string;
  scope: string | undefined;
}

/** What the issuer did with one authorize request: an OAuth error, or where it sent the user. */
type AuthorizeOutcome =
  | { reached: false; error: string; curl: string }
  | { reached: true; error?: string; where: string; curl: string };

/** One authorize request as the client sends it (no cookie, so a working issuer shows its login page). */
export async function requestAuthorization(
  ctx: DoctorContext,
  client: RegisteredClient,
  resource: string,
): Promise<AuthorizeOutcome> {
  const { url } = authorizeUrl(client.authorize, {
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    resource,
    state: randomBytes(8).toString('hex'),
    scope: client.scope,
  });
  const res = await probe(ctx, { url, headers: { Accept: 'text/html' } });
  if (!res.ok) return { reached: false, error: res.error, curl: res.curl };
  const location = res.headers.get('location');
  let error: string | undefined;
  if (location && res.status >= 300 && res.status < 400) {
    const back = new URL(location, url);
    if (back.href.startsWith(client.redirectUri) && back.searchParams.get('error')) {
      error = `${back.searchParams.get('error')}${back.searchParams.get('error_description') ? `: ${back.searchParams.get('error_description')}` : ''}`;
    }
  } else if (res.status >= 400) {
    error = `HTTP ${res.status} ${oauthError(res.json, res.text)}`;
  }
  const where = location ? `a redirect to ${new URL(location, url).pathname}` : `HTTP ${res.status} (login page)`;
  return { reached: true, error, where, curl: res.curl };
}

async function tryAuthorize(ctx: DoctorContext, client: RegisteredClient): Promise<CheckResult> {
  const { profile, redirectUri, scope } = client;
  const title = `Authorize request as ${profile.name} (resource, PKCE, scope)`;
  const outcome = await requestAuthorization(ctx, client, ctx.target.mcpUrl);
  if (!outcome.reached) {
    return fail(`authorize.${profile.id}`, title, {
      detail: outcome.error,
      fix: 'Make the authorization endpoint reachable.',
      curl: outcome.curl,
    });
  }
  if (!outcome.error) {
    return pass(`authorize.${profile.id}`, title, { detail: `accepted: ${outcome.where}.`, curl: outcome.curl });
  }
  return fail(`authorize.${profile.id}`, title, {
    detail: `refused: ${outcome.error}.`,
    fix: authorizeFix(ctx, outcome.error, redirectUri, scope),
    curl: outcome.curl,
  });
}

/** The same authorize request with `resource=<URL>/`, as clients that add a trailing slash send it. */
async function tryTrailingSlash(ctx: DoctorContext, client: RegisteredClient): Promise<CheckResult> {
  const { profile } = client;
  const resource = `${ctx.target.mcpUrl}/`;
  const title = `Authorize with a trailing slash on resource, as ${profile.name}`;
  const outcome = await requestAuthorization(ctx, client, resource);
  if (outcome.reached && !outcome.error) {
    return pass(`authorize.slash.${profile.id}`, title, {
      detail: `resource=${resource} accepted: ${outcome.where}.`,
      curl: outcome.curl,
    });
  }
  return warn(`authorize.slash.${profile.id}`, title, {
    detail: `resource=${resource} refused: ${outcome.error}.`,
    fix: `Have the issuer drop one trailing slash from resource before comparing it and before putting it in aud (${profile.name} adds one: ${profile.resourceTrailingSlash?.source}).`,
    curl: outcome.curl,
  });
}

/** One sentence per OAuth error the issuer may answer at /authorize. */
export function authorizeFix(
  ctx: DoctorContext,
  error: string,
  redirectUri: string,
  scope: string | undefined,
): string {
  if (error.includes('invalid_target') || /resource/i.test(error)) {
    return `Have the issuer accept the RFC 8707 resource parameter and put it in aud; ChatGPT and Claude always send resource=${ctx.target.mcpUrl}.`;
  }
  if (error.includes('invalid_scope')) {
    return `Have the issuer grant ${scope ?? 'the requested scope'} to dynamically registered clients, or set MCP_SCOPES to scopes it grants.`;
  }
  if (/redirect/i.test(error)) return `Have the issuer accept ${redirectUri} at /authorize exactly as registered.`;
  return 'Read the issuer error above; the authorize request carried only what real clients send.';
}

/** RFC 7592 DELETE with the registration access token, so the doctor leaves no clients behind. */
async function deleteRegistration(ctx: DoctorContext, doc: Record<string, unknown> | undefined): Promise<void> {
  const uri = doc?.['registration_client_uri'];
  const token = doc?.['registration_access_token'];
  if (typeof uri !== 'string' || typeof token !== 'string') return;
  await ctx
    .fetch(uri, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(ctx.timeoutMs),
    })
    .catch(() => undefined);
}
