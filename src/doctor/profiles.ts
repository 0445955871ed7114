/**
 * Client profiles: what each MCP client requires of a server, loaded from `profiles.json` (data with a
 * source per rule, so it can be updated without touching the checks).
 */
import data from './profiles.json' with { type: 'json' };

/** A value in the profiles file together with where the requirement comes from. */
export interface Sourced<T> {
  value: T;
  source: string;
}

/** One schema-lint rule; `rule` selects the check in lint.ts, the other fields are its parameters. */
export type ToolRule =
  | { rule: 'tool-name'; pattern: string; severity: Severity; why?: string; source: string }
  | {
      rule: 'no-top-level-combinators' | 'no-refs' | 'no-unions' | 'typed-properties';
      severity: Severity;
      why?: string;
      source: string;
    }
  | { rule: 'annotations'; required: string[]; severity: Severity; why?: string; source: string }
  | { rule: 'max-tools' | 'max-list-bytes'; max: number; severity: Severity; why?: string; source: string };

export type Severity = 'warn' | 'fail';

/**
 * When a client uses a client ID metadata document (CIMD) instead of registering: `preferred` whenever
 * the issuer advertises CIMD, `with-none` only when it also advertises the `none` auth method, `opt-in`
 * only when the user gives the client a metadata URL, `no` never (or not known).
 */
export type CimdMode = 'preferred' | 'with-none' | 'opt-in' | 'no';

export interface CimdFacts {
  mode: CimdMode;
  /** The token endpoint auth methods the client's document may use; the issuer must offer one. */
  authMethods: string[];
  /** The client's metadata URL (its client_id) when it is public and the same for every server. */
  clientId: string | null;
}

export interface ClientProfile {
  id: string;
  name: string;
  /** The browser origin the client's web app calls from, or null for desktop/terminal clients. */
  browserOrigin: Sourced<string | null>;
  /** True when OAuth discovery, DCR and token calls run in a browser (CORS needed on the issuer). */
  oauthFromBrowser: Sourced<boolean>;
  transports: Sourced<('streamable-http' | 'sse')[]>;
  probesServerDiscover: Sourced<boolean>;
  /** Sends `initialize` on the same URL even after `server/discover` succeeded. */
  initializeAfterDiscover: Sourced<boolean>;
  cimd: Sourced<CimdFacts>;
  /** Registers itself (RFC 7591) when it does not use CIMD. */
  registersDynamically: Sourced<boolean>;
  getOnMcpMustNotBe404: Sourced<boolean>;
  usesLegacySse: Sourced<boolean>;
  requestsIssuerScopes: Sourced<boolean>;
  /** Redirect URI shapes; `{port}` and `{id}` are filled in at registration time. */
  redirectUris: Sourced<string[]>;
  toolRules: ToolRule[];
  // Requirements only some clients have; absent means the client does not need it.
  /** Uses ChatGPT's `search`/`fetch` shapes (deep research, company knowledge). */
  needsSearchFetch?: Sourced<boolean>;
  /** Reads the issuer's `/.well-known/openid-configuration`, so a broken one breaks the client. */
  readsOpenidConfiguration?: Sourced<boolean>;
  /** Connects to port 443 only. */
  port443Only?: Sourced<boolean>;
  /** May send `resource` with a trailing slash added. */
  resourceTrailingSlash?: Sourced<boolean>;
  /** Largest tool result the client accepts, estimated as bytes / bytesPerToken. */
  toolResultBudget?: Sourced<{ maxTokens: number; bytesPerToken: number }>;
}

type RawProfile = Omit<ClientProfile, 'id'>;

const clients = data.clients as unknown as Record<string, RawProfile>;

/** Every profile id, in file order. */
export const CLIENT_IDS: readonly string[] = Object.keys(clients);

/** Rules every client shares (tools/list size). */
export const COMMON_TOOL_RULES = data.common.toolRules as ToolRule[];

/** Every client needs https outside loopback. */
export const HTTPS_REQUIRED: Sourced<boolean> = data.common.httpsRequired;

/** Scopes that make ChatGPT ask for OIDC consent when an issuer advertises them. */
export const OIDC_SCOPES: Sourced<string[]> = data.common.oidcScopes;

/**
 * The profiles for the given ids (`all` or none → every profile).
 * Throws an Error naming the unknown id and the known ones.
 */
export function selectProfiles(ids: readonly string[] | undefined): ClientProfile[] {
  if (!ids || ids.length === 0 || ids.includes('all')) {
    return CLIENT_IDS.map((id) => ({ id, ...clients[id]! }));
  }
  return ids.map((id) => {
    const profile = clients[id];
    if (!profile) throw new Error(`unknown client "${id}"; use one of ${[...CLIENT_IDS, 'all'].join(', ')}`);
    return { id, ...profile };
  });
}
