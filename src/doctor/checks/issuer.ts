/**
 * The authorization server as clients see it: RFC 8414 metadata at the issuer, the MCP origin's
 * mirror of it, scope coherence with the protected-resource metadata, and the JWKS.
 */
import { importJWK } from 'jose';
import { asObject, excerpt, probe, sameJson } from '../http.js';
import { OIDC_SCOPES } from '../profiles.js';
import { fail, pass, skip, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';

/** RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path. */
export function metadataUrlFor(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** Names a difference in trailing slashes so people see it. */
export function describeIssuerMismatch(seen: string, expected: string): string {
  if (seen.replace(/\/+$/, '') === expected.replace(/\/+$/, '')) {
    return seen.endsWith('/')
      ? `${seen} has a trailing slash; ${expected} does not`
      : `${expected} has a trailing slash; ${seen} does not`;
  }
  return `${seen} is not ${expected}`;
}

const noIssuer = (id: string, title: string) =>
  skip(id, title, 'No issuer known (the protected-resource metadata failed).');

/** Fetches and judges the issuer's metadata: one result per aspect clients rely on. */
export async function checkIssuerMetadata(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Issuer metadata reachable';
  const issuer = ctx.facts.issuer;
  if (!issuer) return [noIssuer('as.metadata', title)];
  const url = metadataUrlFor(issuer);
  const res = await probe(ctx, { url });
  const doc = res.ok ? asObject(res.json) : undefined;
  if (!res.ok || res.status !== 200 || !doc) {
    const seen = res.ok ? `HTTP ${res.status}: ${excerpt(res.text)}` : res.error;
    return [
      fail('as.metadata', title, {
        detail: `${url} — ${seen}.`,
        fix: `NEONPANEL_ISSUER is ${issuer}, which does not serve OAuth metadata; set it to NeonPanel's issuer (https://my.neonpanel.com, or the sandbox URL locally).`,
        curl: res.curl,
      }),
    ];
  }
  ctx.facts.asMetadata = doc;
  const results: CheckResult[] = [pass('as.metadata', title, { detail: `${url} answered 200.`, curl: res.curl })];

  const seenIssuer = doc['issuer'];
  results.push(
    seenIssuer === issuer
      ? pass('as.issuer', 'Issuer identifier exact', { detail: `issuer is ${issuer}.` })
      : fail('as.issuer', 'Issuer identifier exact', {
          detail: `the metadata says issuer ${JSON.stringify(seenIssuer)} but the protected-resource metadata names ${issuer}: ${describeIssuerMismatch(String(seenIssuer), issuer)}.`,
          fix: `Set NEONPANEL_ISSUER=${String(seenIssuer)} (clients and token validation compare issuers as exact strings, RFC 8414 §3.3).`,
        }),
  );

  const missing = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'].filter((f) => typeof doc[f] !== 'string');
  results.push(
    missing.length === 0
      ? pass('as.endpoints', 'Authorization, token and JWKS endpoints', {
          detail: `authorize ${doc['authorization_endpoint']}, token ${doc['token_endpoint']}.`,
        })
      : fail('as.endpoints', 'Authorization, token and JWKS endpoints', {
          detail: `missing ${missing.join(', ')}.`,
          fix: `Have the issuer publish ${missing.join(', ')} in its metadata.`,
        }),
  );

  const pkce = doc['code_challenge_methods_supported'];
  results.push(
    Array.isArray(pkce) && pkce.includes('S256')
      ? pass('as.pkce', 'PKCE S256', { detail: `code_challenge_methods_supported ${JSON.stringify(pkce)}.` })
      : fail('as.pkce', 'PKCE S256', {
          detail: `code_challenge_methods_supported is ${JSON.stringify(pkce ?? null)}.`,
          fix: 'Advertise code_challenge_methods_supported: ["S256"]; MCP clients refuse an issuer without it.',
        }),
  );

  results.push(judgeGrantsAndAuthMethods(doc));
  return results;
}

function judgeGrantsAndAuthMethods(doc: Record<string, unknown>): CheckResult {
  const title = 'Grant types and client authentication';
  const grants = Array.isArray(doc['grant_types_supported']) ? (doc['grant_types_supported'] as string[]) : undefined;
  const responses = doc['response_types_supported'];
  const methods = doc['token_endpoint_auth_methods_supported'];
  const detail = `grants ${JSON.stringify(grants ?? ['authorization_code', 'implicit (default)'])}, auth methods ${JSON.stringify(methods ?? ['client_secret_basic (default)'])}.`;
  if (Array.isArray(responses) && !responses.includes('code')) {
    return fail('as.grants', title, { detail, fix: 'Advertise response_types_supported: ["code"].' });
  }
  if (grants && !grants.includes('authorization_code')) {
    return fail('as.grants', title, { detail, fix: 'Support and advertise the authorization_code grant.' });
  }
  if (!Array.isArray(methods) || !methods.includes('none')) {
    return fail('as.grants', title, {
      detail,
      fix: 'Accept token_endpoint_auth_method "none" (public clients with PKCE); every client registers that way, and Claude uses CIMD only with it.',
    });
  }
  if (!grants?.includes('refresh_token')) {
    return warn('as.grants', title, {
      detail,
      fix: 'Advertise and issue refresh_token, or users must log in again whenever the access token expires.',
    });
  }
  return pass('as.grants', title, { detail });
}

/** The MCP origin's copy at `/.well-known/oauth-authorization-server` must equal the issuer's document. */
export async function checkMetadataMirror(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Metadata mirror on the MCP origin equals the issuer';
  const original = ctx.facts.asMetadata;
  if (!original) return [skip('as.mirror', title, 'The issuer metadata was not available to compare with.')];
  const res = await probe(ctx, { url: `${ctx.target.origin}/.well-known/oauth-authorization-server` });
  if (!res.ok) return [fail('as.mirror', title, { detail: res.error, fix: 'Check the bridge logs.', curl: res.curl })];
  if (res.status === 404) {
    return [
      warn('as.mirror', title, {
        detail: 'no copy on the MCP origin.',
        fix: 'Serve the mirror for clients of the 2025-03-26 auth spec that look for metadata on the MCP origin (Cursor falls back to it).',
        curl: res.curl,
      }),
    ];
  }
  const mirror = asObject(res.json);
  if (!mirror || sameJson(mirror, original)) {
    return mirror
      ? [pass('as.mirror', title, { detail: 'identical to the issuer document.', curl: res.curl })]
      : [
          fail('as.mirror', title, {
            detail: `HTTP ${res.status}: ${excerpt(res.text)}`,
            fix: 'Serve the mirror as JSON.',
            curl: res.curl,
          }),
        ];
  }
  const keys = new Set([...Object.keys(mirror), ...Object.keys(original)]);
  const differing = [...keys].filter((k) => !sameJson(mirror[k], original[k]));
  return [
    fail('as.mirror', title, {
      detail: `differs from the issuer in ${differing.join(', ')} (mirror issuer ${JSON.stringify(mirror['issuer'])}).`,
      fix: 'Serve the issuer document unchanged (the bridge fetches it from NEONPANEL_ISSUER; check that the value points at the real issuer and restart).',
      curl: res.curl,
    }),
  ];
}

/** Scopes in the PRM (and so in the challenge) must be ones the issuer advertises and grants. */
export async function checkScopes(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Scopes consistent between resource and issuer';
  const as = ctx.facts.asMetadata;
  if (!as || !ctx.facts.prm) return [skip('as.scopes', title, 'Needs both metadata documents.')];
  const prmScopes = Array.isArray(ctx.facts.prm['scopes_supported'])
    ? (ctx.facts.prm['scopes_supported'] as string[])
    : [];
  const asScopes = Array.isArray(as['scopes_supported']) ? (as['scopes_supported'] as string[]) : undefined;
  const detail = `resource scopes ${JSON.stringify(prmScopes)}, issuer scopes_supported ${JSON.stringify(asScopes ?? null)}.`;
  if (asScopes) {
    const unknown = prmScopes.filter((s) => !asScopes.includes(s));
    if (unknown.length > 0) {
      return [
        fail('as.scopes', title, {
          detail,
          fix: `Add ${unknown.join(', ')} to the issuer's scopes_supported and grant it to registered clients, or set MCP_SCOPES to scopes the issuer lists (${asScopes.join(', ') || 'none'}); otherwise clients ask for one scope and the issuer answers invalid_scope.`,
        }),
      ];
    }
    const chatgpt = ctx.clients.some((c) => c.requestsIssuerScopes.value);
    // An OIDC scope the resource itself requires is one the issuer grants: ChatGPT asking for it is fine.
    const oidc = asScopes.filter((s) => OIDC_SCOPES.value.includes(s) && !prmScopes.includes(s));
    if (chatgpt && oidc.length > 0) {
      return [
        warn('as.scopes', title, {
          detail,
          fix: `The issuer advertises ${oidc.join(', ')}, which ChatGPT requests by default; grant them to DCR clients or stop advertising them.`,
        }),
      ];
    }
  }
  if (prmScopes.length === 0) {
    return [
      warn('as.scopes', title, {
        detail,
        fix: 'Set MCP_SCOPES (for example openid) so clients know which scope to request and tokens are checked for it.',
      }),
    ];
  }
  return [pass('as.scopes', title, { detail })];
}

/** The JWKS must be reachable and hold at least one RS256-usable RSA key with a `kid`. */
export async function checkJwks(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Signing keys (JWKS)';
  const jwksUri = ctx.facts.asMetadata?.['jwks_uri'];
  if (typeof jwksUri !== 'string') return [skip('jwks', title, 'No jwks_uri known.')];
  const res = await probe(ctx, { url: jwksUri });
  const keys = res.ok ? asObject(res.json)?.['keys'] : undefined;
  if (!res.ok || res.status !== 200 || !Array.isArray(keys)) {
    return [
      fail('jwks', title, {
        detail: `${jwksUri} — ${res.ok ? `HTTP ${res.status}: ${excerpt(res.text)}` : res.error}.`,
        fix: `Make ${jwksUri} reachable from the bridge and from here; without keys no token can be verified (NEONPANEL_JWKS_URI overrides the address).`,
        curl: res.curl,
      }),
    ];
  }
  ctx.facts.jwks = { keys: keys.filter((k): k is Record<string, unknown> => asObject(k) !== undefined) };
  const usable: string[] = [];
  for (const key of ctx.facts.jwks.keys) {
    if (key['kty'] !== 'RSA' || (key['alg'] && key['alg'] !== 'RS256') || (key['use'] && key['use'] !== 'sig'))
      continue;
    try {
      await importJWK(key as Parameters<typeof importJWK>[0], 'RS256');
      usable.push(typeof key['kid'] === 'string' ? key['kid'] : '(no kid)');
    } catch {
      // An unparsable key is simply not usable.
    }
  }
  if (usable.length === 0) {
    return [
      fail('jwks', title, {
        detail: `${keys.length} key(s), none usable for RS256.`,
        fix: 'Publish the RSA public signing keys (kty RSA, alg RS256, use sig, with a kid) at the jwks_uri.',
        curl: res.curl,
      }),
    ];
  }
  if (usable.includes('(no kid)') && usable.length > 1) {
    return [
      warn('jwks', title, {
        detail: `${usable.length} RS256 keys, some without kid.`,
        fix: 'Give every key a kid so verifiers can pick the right one during rotation.',
        curl: res.curl,
      }),
    ];
  }
  return [pass('jwks', title, { detail: `${usable.length} RS256 key(s): ${usable.join(', ')}.`, curl: res.curl })];
}

/** OpenID Connect Discovery 1.0 §3: the fields a valid discovery document must carry besides `issuer`. */
const OIDC_REQUIRED_FIELDS = [
  'authorization_endpoint',
  'jwks_uri',
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
] as const;

/** What is wrong with an OpenID discovery document for `issuer`; empty when it is valid. */
export function oidcDocumentProblems(doc: Record<string, unknown>, issuer: string): string[] {
  const problems: string[] = [];
  if (doc['issuer'] !== issuer) {
    problems.push(`issuer ${JSON.stringify(doc['issuer'] ?? null)} is not ${issuer}`);
  }
  const missing = OIDC_REQUIRED_FIELDS.filter((field) => {
    const value = doc[field];
    return field.endsWith('_supported') ? !Array.isArray(value) || value.length === 0 : typeof value !== 'string';
  });
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  return problems;
}

/**
 * `<issuer>/.well-known/openid-configuration`: absent is fine (clients use the RFC 8414 document), but
 * when present ChatGPT may read it instead, so it must be a valid OpenID discovery document.
 */
export async function checkOpenidConfiguration(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'OpenID configuration at the issuer absent or valid';
  const issuer = ctx.facts.issuer;
  if (!issuer || !ctx.facts.asMetadata) return [skip('as.oidc', title, 'Needs the issuer metadata.')];
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await probe(ctx, { url });
  const who = ctx.clients.filter((c) => c.readsOpenidConfiguration?.value);
  const judge = who.length > 0 ? fail : warn;
  const because = who.length
    ? ` (${who.map((c) => c.name).join(', ')} may read it instead of the OAuth metadata: ${who[0]!.readsOpenidConfiguration!.source})`
    : '';
  if (!res.ok) {
    return [
      warn('as.oidc', title, { detail: `${url} — ${res.error}.`, fix: `Answer ${url} with 404.`, curl: res.curl }),
    ];
  }
  if (res.status === 404 || res.status === 410) {
    return [
      pass('as.oidc', title, {
        detail: `absent (HTTP ${res.status}); clients use the OAuth metadata.`,
        curl: res.curl,
      }),
    ];
  }
  const doc = asObject(res.json);
  if (res.status !== 200 || !doc) {
    return [
      judge('as.oidc', title, {
        detail: `HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}: ${excerpt(res.text)}`,
        fix: `Answer ${url} with 404 unless the issuer is an OpenID provider${because}.`,
        curl: res.curl,
      }),
    ];
  }
  const problems = oidcDocumentProblems(doc, issuer);
  if (problems.length === 0) {
    return [pass('as.oidc', title, { detail: 'a valid OpenID discovery document.', curl: res.curl })];
  }
  return [
    judge('as.oidc', title, {
      detail: `not a valid OpenID discovery document: ${problems.join('; ')}.`,
      fix: `Remove ${url} (404) or make it a complete OpenID discovery document for ${issuer}; a partial copy of the OAuth metadata breaks connector creation${because}.`,
      curl: res.curl,
    }),
  ];
}
