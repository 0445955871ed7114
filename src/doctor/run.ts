/**
 * Runs the doctor: the checks in the order clients meet them, each result reported as soon as it
 * exists, then one report. Nothing a check returns ever carries the token.
 */
import { checkApps } from './checks/apps.js';
import { checkClientRegistration } from './checks/cimd.js';
import { checkCimdAuthorizations } from './checks/cimd-authorize.js';
import { checkCors } from './checks/cors.js';
import { checkChallenge, checkProtectedResourceMetadata } from './checks/discovery.js';
import {
  checkIssuerMetadata,
  checkJwks,
  checkMetadataMirror,
  checkOpenidConfiguration,
  checkScopes,
} from './checks/issuer.js';
import { checkRegistration } from './checks/register.js';
import { checkHealth, checkServerInfo } from './checks/server.js';
import { checkToken } from './checks/token.js';
import { checkApi, checkTools } from './checks/tools.js';
import { checkTransportSecurity } from './checks/transport-security.js';
import {
  checkDiscoverThenInitialize,
  checkGetMcp,
  checkLegacySse,
  checkServerDiscover,
  checkStreamableInitialize,
} from './checks/transports.js';
import { checkReadOnly } from './checks/read-only.js';
import { selectProfiles } from './profiles.js';
import type { Check, CheckResult, CheckStatus, DoctorContext, DoctorOptions, DoctorReport, Target } from './types.js';

/** Default per-request timeout: short, so a dead deployment is diagnosed in seconds. */
export const DEFAULT_TIMEOUT_MS = 5000;

/** The checks in order. Later checks read what earlier ones learnt (ctx.facts). */
export const CHECKS: readonly Check[] = [
  checkTransportSecurity,
  checkServerInfo,
  checkHealth,
  checkChallenge,
  checkProtectedResourceMetadata,
  checkReadOnly,
  checkIssuerMetadata,
  checkOpenidConfiguration,
  checkMetadataMirror,
  checkScopes,
  checkClientRegistration,
  checkJwks,
  checkCors,
  checkLegacySse,
  checkStreamableInitialize,
  checkServerDiscover,
  checkDiscoverThenInitialize,
  checkGetMcp,
  checkToken,
  checkTools,
  checkApps,
  checkApi,
  checkRegistration,
  checkCimdAuthorizations,
];

/**
 * Derives the origin and endpoints from what the user typed: an origin, `<origin>/mcp` or `<origin>/sse`.
 * Throws an Error that says what a valid URL looks like.
 */
export function parseTarget(input: string): Target {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`"${input}" is not a URL; give the server's address, like https://mcp.neonpanel.com/mcp`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`"${input}" must start with https:// (or http:// for a local server)`);
  }
  const origin = url.origin;
  return { input, origin, mcpUrl: `${origin}/mcp`, sseUrl: `${origin}/sse` };
}

/** Replaces every occurrence of a secret, by default the token (defence in depth: checks never put it in text). */
export function scrub(result: CheckResult, secret: string | undefined, as = '$TOKEN'): CheckResult {
  if (!secret) return result;
  const clean = (s: string | undefined) => s?.split(secret).join(as);
  return Object.fromEntries(
    Object.entries(result).map(([k, v]) => [k, typeof v === 'string' ? clean(v) : v]),
  ) as CheckResult;
}

export interface RunHooks {
  /** Called once per result, in order, as soon as it is known. */
  onResult?: (result: CheckResult) => void;
}

/** The context every check and login step shares, from the options (defaults filled in). */
export function newContext(options: DoctorOptions): DoctorContext {
  return {
    target: parseTarget(options.url),
    clients: selectProfiles(options.clients),
    token: options.token || undefined,
    register: options.register ?? false,
    clientMetadataUrl: options.clientMetadataUrl,
    apiUrl: options.apiUrl,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
    tlsCa: options.tlsCa,
    facts: {},
  };
}

/** The report of a run that started at `started` and produced `results`. */
export function buildReport(ctx: DoctorContext, started: number, results: CheckResult[]): DoctorReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) summary[r.status]++;
  return {
    target: ctx.target.input,
    clients: ctx.clients.map((c) => c.id),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    summary,
    ok: summary.fail === 0,
    results,
  };
}

/** Runs every check and returns the report; never throws for a broken deployment. */
export async function runDoctor(options: DoctorOptions, hooks: RunHooks = {}): Promise<DoctorReport> {
  const started = Date.now();
  const ctx = newContext(options);
  const results: CheckResult[] = [];
  const emit = (result: CheckResult) => {
    const safe = scrub(result, ctx.token);
    results.push(safe);
    hooks.onResult?.(safe);
  };
  for (const check of CHECKS) {
    for (const result of await check(ctx)) emit(result);
    // Nothing answers at all: every further check would fail the same way; say so once.
    if (ctx.facts.unreachable) break;
  }
  return buildReport(ctx, started, results);
}
