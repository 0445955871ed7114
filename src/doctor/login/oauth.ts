/**
 * The OAuth steps of `doctor --login` before the browser, each as a client performs it and each judged as
 * a check: discovery from the 401 (WWW-Authenticate → protected-resource metadata → issuer metadata), a
 * client id (CIMD or dynamic registration) and the authorization request (PKCE S256, `resource`). The
 * token requests after it are in tokens.ts. Secrets (verifier, state) never enter a result.
 */
import { randomBytes } from 'node:crypto';
import { authorizeUrl } from '../authorize-url.js';
import { asObject, excerpt, probe } from '../http.js';
import { fail, pass } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';
import { MCP_POST_HEADERS } from '../checks/discovery.js';
import { metadataUrlFor } from '../checks/issuer.js';
import { issuerRegistration } from '../checks/cimd.js';
import { readOwnDocument } from '../checks/cimd-authorize.js';
import { oauthError } from '../checks/register.js';
import { parseChallenge } from '../www-authenticate.js';
import { CALLBACK_PATH } from './loopback.js';

/** A step's verdict, and what the next step needs when it passed. */
export type Step<T> = { result: CheckResult; value?: T };

/** Where to log in, as the 401 and the metadata documents said. */
export interface Discovered {
  resource: string;
  issuer: string;
  scope: string | undefined;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  metadata: Record<string, unknown>;
}

/** 401 → `resource_metadata` → PRM → issuer metadata, one result per hop; stops at the first failure. */
export async function discover(ctx: DoctorContext): Promise<{ results: CheckResult[]; value?: Discovered }> {
  const results: CheckResult[] = [];
  const challengeTitle = 'Login starts from the 401 (WWW-Authenticate)';
  const res = await probe(ctx, {
    method: 'POST',
    url: ctx.target.mcpUrl,
    headers: MCP_POST_HEADERS,
    body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
  });
  const challenge = res.ok ? parseChallenge(res.headers.get('www-authenticate')) : undefined;
  const prmUrl = challenge?.params['resource_metadata'];
  if (!res.ok || res.status !== 401 || !prmUrl) {
    results.push(
      fail('login.challenge', challengeTitle, {
        detail: res.ok
          ? `HTTP ${res.status}, WWW-Authenticate: ${res.headers.get('www-authenticate') ?? '(none)'}.`
          : res.error,
        fix: 'Answer an MCP request without a token with 401 and WWW-Authenticate: Bearer resource_metadata="…" (run the doctor without --login for details).',
        curl: res.curl,
      }),
    );
    return { results };
  }
  results.push(pass('login.challenge', challengeTitle, { detail: `resource_metadata=${prmUrl}.`, curl: res.curl }));

  const prmTitle = 'Protected-resource metadata names the issuer';
  const prm = await probe(ctx, { url: prmUrl });
  const prmDoc = prm.ok ? asObject(prm.json) : undefined;
  const servers = prmDoc?.['authorization_servers'];
  const issuer = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : undefined;
  const resource = prmDoc?.['resource'];
  if (!issuer || typeof resource !== 'string') {
    results.push(
      fail('login.prm', prmTitle, {
        detail: prm.ok ? `HTTP ${prm.status}: ${excerpt(prm.text)}` : prm.error,
        fix: `Serve RFC 9728 metadata at ${prmUrl} with resource and authorization_servers.`,
        curl: prm.curl,
      }),
    );
    return { results };
  }
  const scopes = prmDoc?.['scopes_supported'];
  const scope = Array.isArray(scopes) && scopes.length > 0 ? scopes.join(' ') : undefined;
  results.push(pass('login.prm', prmTitle, { detail: `resource ${resource}, issuer ${issuer}.`, curl: prm.curl }));

  const asTitle = 'Issuer metadata has the authorization and token endpoints';
  const asUrl = metadataUrlFor(issuer);
  const as = await probe(ctx, { url: asUrl });
  const metadata = as.ok ? asObject(as.json) : undefined;
  const authorizationEndpoint = metadata?.['authorization_endpoint'];
  const tokenEndpoint = metadata?.['token_endpoint'];
  if (!metadata || typeof authorizationEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
    results.push(
      fail('login.as', asTitle, {
        detail: `${asUrl} — ${as.ok ? `HTTP ${as.status}: ${excerpt(as.text)}` : as.error}.`,
        fix: 'Have the issuer publish RFC 8414 metadata with authorization_endpoint and token_endpoint.',
        curl: as.curl,
      }),
    );
    return { results };
  }
  results.push(
    pass('login.as', asTitle, { detail: `authorize ${authorizationEndpoint}, token ${tokenEndpoint}.`, curl: as.curl }),
  );
  return { results, value: { resource, issuer, scope, authorizationEndpoint, tokenEndpoint, metadata } };
}

/** The client id the login uses, and how it was obtained. */
export interface LoginClient {
  clientId: string;
  via: 'cimd' | 'registration';
}

/** Whether `uri` is a loopback redirect with the listener's path (the issuer matches any port, RFC 8252 §7.3). */
function isLoopbackCallback(uri: string): boolean {
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  return (
    url.protocol === 'http:' &&
    ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) &&
    url.pathname === CALLBACK_PATH
  );
}

/**
 * A client id: the user's metadata document when `--client-metadata-url` is given (the issuer must
 * advertise CIMD), else dynamic registration with the listener's redirect URI.
 */
export async function obtainClient(
  ctx: DoctorContext,
  found: Discovered,
  redirectUri: string,
): Promise<Step<LoginClient>> {
  const { cimd } = issuerRegistration(found.metadata);
  const registration = found.metadata['registration_endpoint'];
  if (ctx.clientMetadataUrl) {
    const title = 'Client ID metadata document (CIMD)';
    if (!cimd) {
      return {
        result: fail('login.client', title, {
          detail: 'the issuer does not advertise client_id_metadata_document_supported.',
          fix: 'Log in without --client-metadata-url (dynamic registration), or have the issuer accept client ID metadata documents.',
        }),
      };
    }
    const own = await readOwnDocument(ctx, ctx.clientMetadataUrl);
    if ('problem' in own) {
      return {
        result: fail('login.client', title, {
          detail: own.problem,
          fix: 'Serve the document at that URL with client_id equal to the URL and redirect_uris.',
        }),
      };
    }
    if (!own.redirectUris.some(isLoopbackCallback)) {
      return {
        result: fail('login.client', title, {
          detail: `redirect_uris ${JSON.stringify(own.redirectUris)} has no loopback callback.`,
          fix: `List http://127.0.0.1${CALLBACK_PATH} in the document's redirect_uris: the doctor listens there on a port of its own.`,
        }),
      };
    }
    return {
      result: pass('login.client', title, { detail: `client_id ${own.url}; no registration.` }),
      value: { clientId: own.url, via: 'cimd' },
    };
  }
  const title = 'Dynamic client registration';
  if (typeof registration !== 'string') {
    return {
      result: fail('login.client', title, {
        detail: `the issuer has no registration_endpoint${cimd ? ' (it advertises CIMD)' : ''}.`,
        fix: cimd
          ? `Pass --client-metadata-url <https URL of your document> listing http://127.0.0.1${CALLBACK_PATH} as a redirect URI.`
          : 'Enable RFC 7591 registration or client ID metadata documents at the issuer.',
      }),
    };
  }
  const res = await probe(ctx, {
    method: 'POST',
    url: registration,
    headers: { Accept: 'application/json' },
    body: {
      client_name: 'neonpanel-mcp doctor',
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...(found.scope ? { scope: found.scope } : {}),
    },
  });
  const clientId = res.ok ? asObject(res.json)?.['client_id'] : undefined;
  if (!res.ok || res.status >= 300 || typeof clientId !== 'string') {
    return {
      result: fail('login.client', title, {
        detail: res.ok ? `HTTP ${res.status} ${oauthError(res.json, res.text)}` : res.error,
        fix: `Have the issuer register public clients (token_endpoint_auth_method none) with a loopback redirect URI such as ${redirectUri}.`,
        curl: res.curl,
      }),
    };
  }
  return {
    result: pass('login.client', title, { detail: `registered with redirect_uri ${redirectUri}.`, curl: res.curl }),
    value: { clientId, via: 'registration' },
  };
}

/** One authorization request: its URL, and the PKCE verifier and state to check the answer with. */
export interface AuthorizationRequest {
  url: string;
  verifier: string;
  state: string;
}

/** The authorization URL a client opens: response_type code, PKCE S256, resource, scope, state. */
export function authorizationRequest(
  found: Discovered,
  client: LoginClient,
  redirectUri: string,
): AuthorizationRequest {
  const state = randomBytes(16).toString('base64url');
  const { url, verifier } = authorizeUrl(found.authorizationEndpoint, {
    clientId: client.clientId,
    redirectUri,
    resource: found.resource,
    state,
    scope: found.scope,
  });
  return { url, verifier, state };
}
