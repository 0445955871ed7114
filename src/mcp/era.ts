import type { IncomingMessage } from 'node:http';
import {
  type InboundHttpRequest,
  type InboundModernRoute,
  PROTOCOL_VERSION_META_KEY,
  classifyInboundRequest,
} from '@modelcontextprotocol/server';

/** A header as the web `Headers.get` would give it: repeated values joined with ", ". */
function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The first revision of the 2026 era; the SDK compares revisions as strings, and so does this. */
export const FIRST_MODERN_REVISION = '2026-07-28';

/**
 * The SDK's name for the revisions before 2026-07-28 (its `era` and classification kind): what the bridge
 * calls the 2025 era. In the bridge, "legacy" means only the 2024-11-05 HTTP+SSE transport.
 */
export const SDK_ERA_2025 = 'legacy';

/** The SEP-2243 standard headers of a request, as the SDK's classifier takes them. */
function standardHeaders(req: IncomingMessage): Omit<InboundHttpRequest, 'body'> {
  return {
    httpMethod: req.method ?? 'POST',
    protocolVersionHeader: headerOf(req, 'mcp-protocol-version'),
    mcpMethodHeader: headerOf(req, 'mcp-method'),
    mcpNameHeader: headerOf(req, 'mcp-name'),
  };
}

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
export function is2025Era(req: IncomingMessage, body: unknown): boolean {
  if (body === undefined) return true;
  const verdict = localVerdict(req, body);
  if (verdict !== undefined) return verdict;
  return classifyInboundRequest({ ...standardHeaders(req), body }).kind === SDK_ERA_2025;
}

/** A 2026-07-28 request the bridge's own transport carries (see `acceptedModernRequest`). */
export type AcceptedModernRequest = Extract<InboundModernRoute, { messageKind: 'request' }>;

/**
 * The methods of the bridge's server that the 2026-07-28 revision has. Any other method is answered by
 * the SDK's handler, which also owns the HTTP status of a refusal (404 for a method it does not know).
 */
const OWN_TRANSPORT_METHODS = new Set(['tools/call', 'tools/list', 'server/discover']);

/**
 * The route of a 2026-07-28 request that passes every check the SDK's `createMcpHandler` makes before it
 * serves one, or undefined for anything else: a notification, `subscriptions/listen`, another method,
 * another revision, a refusal, a missing standard header or an `Mcp-Name` that is not the tool's plain
 * name. Those stay with the SDK's handler, which answers them exactly as the SDK does; what passes here is
 * served on the bridge's own transport (post-transport.ts) without the web `Request` and `Response` the
 * handler works on, which were most of the cost of a call.
 *
 * What the handler checks, and how each is met here:
 * - the envelope and the headers' agreement with the body: `classifyInboundRequest` (the SDK's own);
 * - a revision the SDK serves: only the first 2026 revision passes;
 * - `MCP-Protocol-Version` and `Mcp-Method` present, and for `tools/call` an `Mcp-Name` equal to
 *   `params.name`: an encoded (`=?base64?…?=`) name, which the SDK decodes first, is left to it;
 * - client capabilities a method requires: the SDK 2.4.0 requires none for any method;
 * - `x-mcp-header` parameters and scope challenges: the SDK checks those on `McpServer` tools only, and
 *   the bridge's server is a plain `Server`.
 */
export function acceptedModernRequest(req: IncomingMessage, body: unknown): AcceptedModernRequest | undefined {
  const headers = standardHeaders(req);
  if (headers.protocolVersionHeader === undefined || headers.mcpMethodHeader === undefined) return undefined;
  const route = classifyInboundRequest({ ...headers, body });
  if (route.kind !== 'modern' || route.messageKind !== 'request') return undefined;
  if (route.classification.revision !== FIRST_MODERN_REVISION) return undefined;
  const { method, params } = route.message;
  if (!OWN_TRANSPORT_METHODS.has(method)) return undefined;
  if (method === 'tools/call') {
    const name = headers.mcpNameHeader?.trim();
    if (name === undefined || name.startsWith('=?') || name !== params?.['name']) return undefined;
  }
  return route;
}
