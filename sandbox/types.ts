/**
 * Public types of the sandbox: what `startSandbox()` accepts and returns.
 * Tests, the demo and the benchmark program against these; keep them stable.
 */

import type { CimdSettings } from './as/cimd.js';
import type { SandboxData, SandboxUser } from './data/model.js';
import type { FaultControl } from './faults.js';
import type { AsMisbehaviour } from './misbehave.js';
import type { SandboxRequestLog } from './request-log.js';

/** Options of `startSandbox()`. Every field is optional; defaults suit tests. */
export interface SandboxOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /**
   * Base of every absolute URL the sandbox prints (metadata endpoints, links); default `http://<host>:<port>`.
   * Set it when the sandbox sits behind a proxy.
   */
  publicUrl?: string;
  /** The `iss` of tokens and metadata; default `publicUrl`. */
  issuer?: string;
  /** Access-token lifetime in seconds; default 3600. */
  tokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds; default 30 days. */
  refreshTokenTtlSeconds?: number;
  /** User id (`alice`, `bob`, `vera`) that approves every authorization request without showing the page. */
  autoApprove?: string;
  /** How long an import request stays pending before `checkImportProcessing` reports `done`; default 1500 ms. */
  importDelayMs?: number;
  /** Log one line per request: `true` writes to stderr, a function receives each line. Default off. */
  logRequests?: boolean | ((line: string) => void);
  /** Seed of the data set; default 20240101. The same seed gives the same companies, items and sales. */
  dataSeed?: number;
  /** Seed of probabilistic faults; default 1. */
  faultSeed?: number;
  /** Most request-log entries kept (older ones dropped, counters still exact); default 100,000. */
  requestLogLimit?: number;
  /**
   * Accept Client ID Metadata Documents (an https `client_id` naming the client's metadata) and advertise
   * `client_id_metadata_document_supported`; `true` takes the defaults of `CimdSettings`. Default off.
   */
  cimd?: boolean | CimdSettings;
}

/** Claims of a token minted directly by `sandbox.issueToken()` (no OAuth flow). */
export interface IssueTokenOptions {
  sub: string;
  /** Space-separated scopes; default `openid` (the one scope NeonPanel API 1.2 defines). */
  scope?: string;
  aud?: string | string[];
  /** Seconds from now until `exp`; negative gives an already expired token. Default `tokenTtlSeconds`. */
  expiresIn?: number;
  /** Seconds from now until `nbf` (omitted when unset). */
  notBefore?: number;
  /**
   * Key id to sign with. A kid the sandbox holds signs with that key; an unknown kid signs with the
   * current key but names the unknown kid in the header; `null` omits the `kid` header.
   */
  kid?: string | null;
  /** Added to the payload last, so they can override `iss`, `iat`, `client_id` and the rest. */
  extraClaims?: Record<string, unknown>;
}

/** Signing-key control. */
export interface SandboxKeys {
  /** Key id that signs new tokens. */
  readonly currentKid: string;
  /** Every key id published in the JWKS, oldest first. */
  readonly kids: readonly string[];
  /** Adds a new signing key (new kid) for new tokens; old keys stay in the JWKS unless `dropOld`. */
  rotate(options?: { dropOld?: boolean }): Promise<string>;
}

/** A running sandbox. */
export interface Sandbox {
  /** `http://127.0.0.1:<port>` (or `publicUrl`): base of the AS and the API. */
  readonly url: string;
  /** The `iss` of its tokens. */
  readonly issuer: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and drops every open connection (hung requests included). */
  close(): Promise<void>;
  /** Mints an RS256 access token without an OAuth flow. */
  issueToken(options: IssueTokenOptions): Promise<string>;
  faults: FaultControl;
  keys: SandboxKeys;
  misbehave: AsMisbehaviour;
  requestLog: SandboxRequestLog;
  /** Demo users by id (`alice`, `bob`, `vera`), the companies each may see and their permissions. */
  users: Readonly<Record<string, SandboxUser>>;
  /** The seeded data set, for tests that compare results with it. */
  data: SandboxData;
}
