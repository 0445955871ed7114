/**
 * How each client gets a client id at the issuer: a client ID metadata document (CIMD, which MCP
 * 2026-07-28 prefers), dynamic registration (RFC 7591, deprecated by 2026-07-28), or nothing, in which
 * case it cannot log in. Decided from the issuer's metadata and each profile's facts (profiles.json).
 */
import type { ClientProfile } from '../profiles.js';
import { fail, pass, skip, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';

/** What an issuer's metadata offers clients for getting a client id. */
export interface IssuerRegistration {
  /** `client_id_metadata_document_supported: true`. */
  cimd: boolean;
  /** `token_endpoint_auth_methods_supported` (RFC 8414 default when absent). */
  authMethods: string[];
  /** A `registration_endpoint` is advertised. */
  registration: boolean;
}

/** Reads the registration facts from RFC 8414 metadata. */
export function issuerRegistration(doc: Record<string, unknown>): IssuerRegistration {
  const methods = doc['token_endpoint_auth_methods_supported'];
  return {
    cimd: doc['client_id_metadata_document_supported'] === true,
    // RFC 8414 §2: omitted means client_secret_basic.
    authMethods: Array.isArray(methods)
      ? methods.filter((m): m is string => typeof m === 'string')
      : ['client_secret_basic'],
    registration: typeof doc['registration_endpoint'] === 'string',
  };
}

/** How one client will get its client id at this issuer, and why. */
export type ClientRoute =
  | { via: 'cimd'; method: string }
  | { via: 'registration'; cimdMissing: string }
  | { via: 'none'; cimdMissing: string };

/**
 * Why `profile` cannot use CIMD at this issuer, or the auth method it would use. `optIn` says whether an
 * opt-in client counts as configured with a metadata URL.
 */
export function cimdFit(
  profile: ClientProfile,
  issuer: IssuerRegistration,
  optIn = true,
): { method: string } | { missing: string } {
  const { mode, authMethods } = profile.cimd.value;
  if (mode === 'no') return { missing: `${profile.name} does not use client ID metadata documents` };
  if (mode === 'opt-in' && !optIn) return { missing: `${profile.name} uses CIMD only when given a metadata URL` };
  if (!issuer.cimd) return { missing: 'the issuer does not advertise client_id_metadata_document_supported' };
  const wanted = mode === 'with-none' ? ['none'] : authMethods;
  const method = wanted.find((m) => issuer.authMethods.includes(m));
  if (!method) {
    return {
      missing: `${profile.name}'s document uses ${wanted.join(' or ')}, which token_endpoint_auth_methods_supported (${issuer.authMethods.join(', ')}) lacks`,
    };
  }
  return { method };
}

/** The route a client takes: CIMD when it fits, else registration when both sides do it, else none. */
export function routeFor(profile: ClientProfile, issuer: IssuerRegistration): ClientRoute {
  const fit = cimdFit(profile, issuer);
  if ('method' in fit) return { via: 'cimd', method: fit.method };
  if (issuer.registration && profile.registersDynamically.value) {
    return { via: 'registration', cimdMissing: fit.missing };
  }
  return { via: 'none', cimdMissing: fit.missing };
}

/** What advertising CIMD (with `none`) would change for a client that registers today. */
function whatCimdWouldChange(profile: ClientProfile): string {
  switch (profile.cimd.value.mode) {
    case 'preferred':
    case 'with-none':
      return `with client_id_metadata_document_supported: true and none advertised, ${profile.name} would send its metadata URL${profile.cimd.value.clientId ? ` (${profile.cimd.value.clientId})` : ''} as client_id instead of registering a new client per connection`;
    case 'opt-in':
      return `with CIMD advertised, ${profile.name} could be started with a metadata URL instead of registering`;
    case 'no':
      return `CIMD would change nothing for ${profile.name}, which registers dynamically`;
  }
}

/** The issuer's CIMD advertisement: MCP 2026-07-28 prefers it to registration. */
function judgeAdvertisement(issuer: IssuerRegistration): CheckResult {
  const title = 'Client ID metadata documents (CIMD)';
  const detail = `client_id_metadata_document_supported ${issuer.cimd}, token_endpoint_auth_methods_supported ${JSON.stringify(issuer.authMethods)}.`;
  if (issuer.cimd && issuer.authMethods.includes('none')) return pass('as.cimd', title, { detail });
  if (issuer.cimd) {
    return warn('as.cimd', title, {
      detail,
      fix: 'Also accept token_endpoint_auth_method "none" (public clients with PKCE): Claude uses CIMD only when none is advertised, and Claude Code, VS Code and mcp-remote documents use it.',
    });
  }
  return warn('as.cimd', title, {
    detail,
    fix: 'Advertise client_id_metadata_document_supported: true (with none in token_endpoint_auth_methods_supported) and fetch https client_id documents: MCP 2026-07-28 deprecates dynamic registration in their favour (the per-client lines below say what it changes).',
  });
}

/** One line per client: the route it takes, and what breaks or would change. */
function judgeClient(profile: ClientProfile, issuer: IssuerRegistration): CheckResult {
  const id = `registration.${profile.id}`;
  const title = `How ${profile.name} gets a client id`;
  const route = routeFor(profile, issuer);
  if (route.via === 'cimd') {
    return pass(id, title, {
      detail: `client ID metadata document (${route.method}${profile.cimd.value.mode === 'opt-in' ? ', when started with a metadata URL' : ''}).`,
    });
  }
  if (route.via === 'registration') {
    return pass(id, title, {
      detail: `dynamic registration (no CIMD: ${route.cimdMissing}); ${whatCimdWouldChange(profile)}.`,
    });
  }
  return fail(id, title, {
    detail: `neither: ${route.cimdMissing}, and ${issuer.registration ? `${profile.name} does not register dynamically` : 'there is no registration_endpoint'}; ${profile.name} cannot log in without a client id entered by hand.`,
    fix: `Enable RFC 7591 registration at the issuer or advertise CIMD in a way ${profile.name} uses (${profile.cimd.source}).`,
  });
}

/** Whether clients can get a client id at all (fails only when none can), then the line per client. */
export async function checkClientRegistration(ctx: DoctorContext): Promise<CheckResult[]> {
  const doc = ctx.facts.asMetadata;
  if (!doc) return [skip('as.registration', 'Client registration (CIMD or dynamic)', 'Needs the issuer metadata.')];
  const issuer = issuerRegistration(doc);
  const title = 'Client registration (CIMD or dynamic)';
  const offered = [
    issuer.cimd ? 'CIMD' : '',
    issuer.registration ? `registration at ${doc['registration_endpoint']}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const overall = offered
    ? pass('as.registration', title, { detail: `${offered}.` })
    : fail('as.registration', title, {
        detail: 'no registration_endpoint and no client_id_metadata_document_supported.',
        fix: 'Advertise client_id_metadata_document_supported: true (MCP 2026-07-28) or enable RFC 7591 registration; ChatGPT, Claude and Cursor cannot get a client id otherwise.',
      });
  return [overall, judgeAdvertisement(issuer), ...ctx.clients.map((profile) => judgeClient(profile, issuer))];
}
