/**
 * The connection doctor's data model: what a check reports and what checks share while they run.
 * Checks are pure async functions over `fetch`; they never import the bridge's own modules.
 */
import type { ClientProfile } from './profiles.js';

/** pass = as clients need it; warn = works but some client may stumble; fail = a client will break; skip = not run. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable dotted id, e.g. `prm.mcp`, `token.iss`, `tools.lint.claude`. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was observed, in one or two sentences. */
  detail: string;
  /** One concrete sentence saying what to change; present on warn and fail. */
  fix?: string;
  /** The request that was sent, as a curl command with the token replaced by `$TOKEN`. */
  curl?: string;
}

/** The URLs derived from what the user typed. */
export interface Target {
  /** Exactly what the user passed. */
  input: string;
  /** Scheme + host + port, no trailing slash. */
  origin: string;
  /** `<origin>/mcp`: the URL pasted into clients and the PRM `resource` they expect. */
  mcpUrl: string;
  /** `<origin>/sse`: the legacy transport. */
  sseUrl: string;
}

/** JSON documents learnt by earlier checks and used by later ones. */
export interface Facts {
  /** Set when nothing answers at the server's origin; the run stops there. */
  unreachable?: boolean;
  serverInfo?: Record<string, unknown>;
  prm?: Record<string, unknown>;
  /** `authorization_servers[0]` of the `/mcp` protected-resource metadata. */
  issuer?: string;
  asMetadata?: Record<string, unknown>;
  jwks?: { keys: Record<string, unknown>[] };
  tools?: DoctorTool[];
}

/** A tool as `tools/list` returns it (only the fields the doctor reads). */
export interface DoctorTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  /** Carries the MCP Apps view (`ui.resourceUri`) the apps check reads. */
  _meta?: Record<string, unknown>;
}

export interface DoctorOptions {
  /** The URL the user gave: an origin or the `/mcp` (or `/sse`) endpoint. */
  url: string;
  /** Access token for the authenticated checks; never printed. */
  token?: string;
  /** Client profile ids to judge against; default all. */
  clients?: string[];
  /** Run a real dynamic client registration and an authorize request at the issuer (and CIMD ones). */
  register?: boolean;
  /**
   * An https URL of a client ID metadata document the user controls: `--register` tries CIMD with it for
   * clients whose own metadata URL is per server or opt-in; `--login` logs in with it.
   */
  clientMetadataUrl?: string;
  /** NeonPanel API base URL; defaults to what the server reports, then the issuer. */
  apiUrl?: string;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra trusted roots (tests, private CAs), PEM, for the certificate check only; see DoctorContext.tlsCa. */
  tlsCa?: readonly string[];
}

/** What every check receives. `facts` is filled in as checks run, in order. */
export interface DoctorContext {
  target: Target;
  clients: readonly ClientProfile[];
  token: string | undefined;
  register: boolean;
  clientMetadataUrl: string | undefined;
  apiUrl: string | undefined;
  timeoutMs: number;
  fetch: typeof fetch;
  /**
   * Extra trusted roots (tests, private CAs), PEM, added to Node's default store (which already holds
   * `NODE_EXTRA_CA_CERTS`) by the certificate check only; other requests use `fetch`'s own trust.
   */
  tlsCa?: readonly string[];
  facts: Facts;
}

/** A step of the doctor: yields one or more results. */
export type Check = (ctx: DoctorContext) => Promise<CheckResult[]>;

export interface DoctorReport {
  target: string;
  clients: string[];
  startedAt: string;
  durationMs: number;
  summary: Record<CheckStatus, number>;
  /** True when no check failed (the CLI exits 0). */
  ok: boolean;
  results: CheckResult[];
}
