/**
 * `--register` at an issuer that advertises client ID metadata documents: one authorize request per
 * client that would use CIMD there, with its metadata URL as client_id, its redirect URI, PKCE and
 * `resource`, not following the redirect. The issuer fetches the document; its answer (a login page, or
 * an error) shows whether that client could sign in. Clients whose metadata URL is per server (ChatGPT)
 * or opt-in (mcp-remote, MCP Inspector) use the document given with `--client-metadata-url`.
 */
import { asObject, excerpt, probe } from '../http.js';
import type { ClientProfile } from '../profiles.js';
import { fail, pass, skip } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';
import { cimdFit, issuerRegistration } from './cimd.js';
import { type RegisteredClient, concreteRedirectUri, requestAuthorization, scopesToRequest } from './register.js';

/** The user's own metadata document as the doctor read it: its URL and redirect URIs. */
export interface OwnDocument {
  url: string;
  redirectUris: string[];
}

/** Reads `--client-metadata-url`: its client_id must be its URL (CIMD §3) and it must list a redirect URI. */
export async function readOwnDocument(ctx: DoctorContext, url: string): Promise<OwnDocument | { problem: string }> {
  const res = await probe(ctx, { url, headers: { Accept: 'application/json' } });
  const doc = res.ok ? asObject(res.json) : undefined;
  if (!res.ok || res.status !== 200 || !doc) {
    return { problem: `${url} — ${res.ok ? `HTTP ${res.status}: ${excerpt(res.text)}` : res.error}.` };
  }
  if (doc['client_id'] !== url) {
    return { problem: `the document's client_id is ${JSON.stringify(doc['client_id'] ?? null)}, not its URL ${url}.` };
  }
  const listed = doc['redirect_uris'];
  const redirectUris = Array.isArray(listed) ? listed.filter((r): r is string => typeof r === 'string') : [];
  if (redirectUris.length === 0) return { problem: 'the document lists no redirect_uris.' };
  return { url, redirectUris };
}

/** The client a CIMD request is sent as, or the result saying why none is sent. */
function cimdClient(
  ctx: DoctorContext,
  profile: ClientProfile,
  own: OwnDocument | { problem: string } | undefined,
  authorize: string,
): RegisteredClient | CheckResult {
  const id = `cimd.${profile.id}`;
  const title = `CIMD authorize request as ${profile.name}`;
  const publicId = profile.cimd.value.mode === 'opt-in' ? null : profile.cimd.value.clientId;
  const scope = scopesToRequest(ctx);
  if (publicId) {
    const redirectUri = concreteRedirectUri(profile.redirectUris.value[0]!);
    return { profile, authorize, clientId: publicId, redirectUri, scope };
  }
  if (!own) {
    return skip(id, title, `${profile.name}'s metadata URL is not public; pass --client-metadata-url <your document>.`);
  }
  if ('problem' in own) {
    return fail(id, title, {
      detail: own.problem,
      fix: 'Serve a client ID metadata document at that https URL whose client_id is the URL itself and which lists redirect_uris.',
    });
  }
  return { profile, authorize, clientId: own.url, redirectUri: own.redirectUris[0]!, scope };
}

/** One CIMD authorize request per client that would use CIMD at this issuer. */
export async function checkCimdAuthorizations(ctx: DoctorContext): Promise<CheckResult[]> {
  const as = ctx.facts.asMetadata;
  const authorize = as?.['authorization_endpoint'];
  if (!ctx.register || !as || typeof authorize !== 'string') return [];
  const issuer = issuerRegistration(as);
  if (!issuer.cimd) {
    return [
      skip('cimd', 'CIMD authorize requests', 'The issuer does not advertise client_id_metadata_document_supported.'),
    ];
  }
  const own = ctx.clientMetadataUrl ? await readOwnDocument(ctx, ctx.clientMetadataUrl) : undefined;
  const results: CheckResult[] = [];
  for (const profile of ctx.clients) {
    if (profile.cimd.value.mode === 'no') continue;
    const fit = cimdFit(profile, issuer, own !== undefined);
    if ('missing' in fit) {
      results.push(
        skip(`cimd.${profile.id}`, `CIMD authorize request as ${profile.name}`, `Not sent: ${fit.missing}.`),
      );
      continue;
    }
    const client = cimdClient(ctx, profile, own, authorize);
    results.push('status' in client ? client : await tryCimdAuthorize(ctx, client));
  }
  return results;
}

async function tryCimdAuthorize(ctx: DoctorContext, client: RegisteredClient): Promise<CheckResult> {
  const { profile } = client;
  const id = `cimd.${profile.id}`;
  const title = `CIMD authorize request as ${profile.name}`;
  const outcome = await requestAuthorization(ctx, client, ctx.target.mcpUrl);
  if (!outcome.reached) {
    return fail(id, title, {
      detail: outcome.error,
      fix: 'Make the authorization endpoint reachable.',
      curl: outcome.curl,
    });
  }
  const sent = `client_id ${client.clientId}, redirect_uri ${client.redirectUri}`;
  if (!outcome.error) {
    return pass(id, title, { detail: `${sent}: accepted (${outcome.where}).`, curl: outcome.curl });
  }
  return fail(id, title, {
    detail: `${sent}: refused: ${outcome.error}.`,
    fix: cimdFix(outcome.error, client),
    curl: outcome.curl,
  });
}

/** One sentence per way an issuer refuses a CIMD client. */
function cimdFix(error: string, client: RegisteredClient): string {
  if (/redirect/i.test(error)) {
    return `Have the issuer compare loopback redirect URIs without the port (RFC 8252 §7.3): ${client.profile.name}'s document lists ${client.profile.redirectUris.value.join(', ')} and the real callback has its own port.`;
  }
  if (/fetch|document|metadata|reach|resolve|timed? ?out/i.test(error)) {
    return `Have the issuer fetch ${client.clientId} (https, from the public internet) and accept it as the client's metadata.`;
  }
  return `Have the issuer accept ${client.clientId} as a client ID metadata document (${client.profile.cimd.source}).`;
}
