import type { IncomingMessage } from 'node:http';
import { PROTOCOL_VERSION_META_KEY, classifyInboundRequest } from '@modelcontextprotocol/server';

/** A header as the web `Headers.get` would give it: repeated values joined with ", ". */
function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The first revision of the 2026 era; the SDK compares revisions as strings, and so does this. */
const FIRST_MODERN_REVISION = '2026-07-28';

/**
 * The SDK's verdict for the two common cases, without its zod checks, for one request or notification
 * (not `initialize`, whose verdict depends on its envelope's validity):
 * - no 2026 envelope claim (`params._meta` has no protocol-version key) under no 2026-era header: 2025-era
 *   (this holds for `initialize` too);
 * - a claim, or a 2026-era header: the 2026-07-28 handler's, which serves it or refuses it (a bad
 *   envelope, a header that disagrees with the body), never the 2025-era transports.
 * Undefined where the SDK must decide.
 */
function localVerdict(req: IncomingMessage, body: unknown): boolean | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { method, params } = body as { method?: unknown; params?: { _meta?: unknown } };
  if (typeof method !== 'string' || 'result' in body || 'error' in body) return undefined;
  const meta = typeof params === 'object' && params !== null ? params._meta : undefined;
  const claim = typeof meta === 'object' && meta !== null && PROTOCOL_VERSION_META_KEY in meta;
  const header = headerOf(req, 'mcp-protocol-version')?.trim();
  const modernHeader = header !== undefined && header >= FIRST_MODERN_REVISION;
  if (!claim && !modernHeader) return true;
  return method === 'initialize' ? undefined : false;
}

/**
 * Whether a POST with this parsed JSON-RPC body (checked by the gate) belongs to the 2025-era
 * transports (true) or to the 2026-07-28 handler (false). The same decision as the SDK's
 * `isLegacyRequest`, taken from the Node request and the body the app already parsed, without
 * building a web `Request` for it (and, for the common cases, without the SDK's zod checks).
 */
export function isLegacyEra(req: IncomingMessage, body: unknown): boolean {
  if (body === undefined) return true;
  const verdict = localVerdict(req, body);
  if (verdict !== undefined) return verdict;
  const outcome = classifyInboundRequest({
    httpMethod: req.method ?? 'POST',
    protocolVersionHeader: headerOf(req, 'mcp-protocol-version'),
    mcpMethodHeader: headerOf(req, 'mcp-method'),
    mcpNameHeader: headerOf(req, 'mcp-name'),
    body,
  });
  return outcome.kind === 'legacy';
}
