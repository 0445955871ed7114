import type { Config } from '../config/index.js';
import type { ProtectedRoute } from './challenge.js';
import { AuthError, quoteUntrusted } from './errors.js';

/** Every MCP resource the bridge serves, each its own RFC 9728 resource (`<MCP_PUBLIC_URL>/<route>`). */
const RESOURCE_ROUTES = ['mcp', 'mcp/readonly', 'sse'] as const satisfies readonly ProtectedRoute[];

export type AudienceConfig = Pick<Config, 'audience' | 'publicUrl' | 'issuer' | 'apiUrl'>;

/** Which `aud` values a token may carry, and whether it must carry one. */
export interface AudiencePolicy {
  /** `MCP_AUDIENCE` when set (a token must name one of its values), else `default`. */
  source: 'MCP_AUDIENCE' | 'default';
  /** The values an `aud` must contain one of. */
  accepted: readonly string[];
  /** False for the default policy: a token without `aud` is accepted (not every issuer sets it). */
  required: boolean;
}

/** A URL compared without its trailing slash: `https://mcp.example.com/` names the same resource. */
function comparable(value: string): string {
  return value.replace(/\/+$/, '');
}

/**
 * The audience policy in force. With `MCP_AUDIENCE` unset, an `aud` must name one of the bridge's own
 * resource URLs, the issuer or the NeonPanel API: a token minted for another service is refused, and a
 * token without `aud` is accepted.
 */
export function audiencePolicy(config: AudienceConfig): AudiencePolicy {
  if (config.audience) return { source: 'MCP_AUDIENCE', accepted: config.audience, required: true };
  const own = [config.publicUrl, ...RESOURCE_ROUTES.map((route) => `${config.publicUrl}/${route}`)];
  const api = [config.apiUrl, new URL(config.apiUrl).origin];
  const accepted = [...new Set([...own, config.issuer, ...api].map(comparable))];
  return { source: 'default', accepted, required: false };
}

/** One line for the start-up log and the docs: which policy is in force. */
export function describeAudiencePolicy(policy: AudiencePolicy): string {
  return policy.source === 'MCP_AUDIENCE'
    ? `MCP_AUDIENCE: aud must contain one of ${policy.accepted.join(', ')}`
    : `default (MCP_AUDIENCE unset): a token without aud is accepted; an aud must name one of ${policy.accepted.join(', ')}`;
}

/**
 * Checks the `aud` claim of a verified token against the default policy (MCP_AUDIENCE is checked by
 * jose). Throws AuthError `wrong_audience` for an aud of another service or of any other type than a
 * string or a list of strings.
 */
export function checkDefaultAudience(policy: AudiencePolicy, aud: unknown): void {
  if (aud === undefined) return;
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (!values || values.length === 0 || values.some((value) => typeof value !== 'string')) {
    throw new AuthError(
      'wrong_audience',
      `audience ${quoteUntrusted(aud)} is not a string or a list of strings; expected one of ${policy.accepted.join(', ')}`,
    );
  }
  const accepted = new Set(policy.accepted);
  if (values.some((value) => accepted.has(comparable(value as string)))) return;
  const got = values.map((value) => quoteUntrusted(value)).join(', ');
  throw new AuthError(
    'wrong_audience',
    `audience ${got} names another service, expected one of ${policy.accepted.join(', ')} (set MCP_AUDIENCE to choose)`,
  );
}
