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
 * The SDK's verdict for the commonest case, without its zod checks: one request or notification that
 * claims no 2026 envelope (`params._meta` has no protocol-version key) under no 2026-era header is
 * 2025-era, whatever else it carries. Undefined where the SDK must decide.
 */
function plainLegacyMessage(req: IncomingMessage, body: unknown): true | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { method, params } = body as { method?: unknown; params?: { _meta?: unknown } };
  if (typeof method !== 'string') return undefined;
  const meta = typeof params === 'object' && params !== null ? params._meta : undefined;
  if (typeof meta === 'object' && meta !== null && PROTOCOL_VERSION_META_KEY in meta) return undefined;
  const header = headerOf(req, 'mcp-protocol-version')?.trim();
  return header === undefined || header < FIRST_MODERN_REVISION ? true : undefined;
}

/**
 * Whether a POST with this parsed JSON-RPC body (checked by the gate) belongs to the 2025-era
 * transports (true) or to the 2026-07-28 handler (false). The same decision as the SDK's
 * `isLegacyRequest`, taken from the Node request and the body the app already parsed, without
 * building a web `Request` for it.
 */
export function isLegacyEra(req: IncomingMessage, body: unknown): boolean {
  if (body === undefined || plainLegacyMessage(req, body)) return true;
  const outcome = classifyInboundRequest({
    httpMethod: req.method ?? 'POST',
    protocolVersionHeader: headerOf(req, 'mcp-protocol-version'),
    mcpMethodHeader: headerOf(req, 'mcp-method'),
    mcpNameHeader: headerOf(req, 'mcp-name'),
    body,
  });
  return outcome.kind === 'legacy';
}
