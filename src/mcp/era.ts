import type { IncomingMessage } from 'node:http';
import { classifyInboundRequest } from '@modelcontextprotocol/server';

/** A header as the web `Headers.get` would give it: repeated values joined with ", ". */
function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Whether a POST with this parsed JSON body belongs to the 2025-era transports (true) or to the
 * 2026-07-28 handler (false). The same decision as the SDK's `isLegacyRequest`, taken from the Node
 * request and the body the app already parsed, without building a web `Request` for it.
 */
export function isLegacyEra(req: IncomingMessage, body: unknown): boolean {
  if (body === undefined) return true;
  const outcome = classifyInboundRequest({
    httpMethod: req.method ?? 'POST',
    protocolVersionHeader: headerOf(req, 'mcp-protocol-version'),
    mcpMethodHeader: headerOf(req, 'mcp-method'),
    mcpNameHeader: headerOf(req, 'mcp-name'),
    body,
  });
  return outcome.kind === 'legacy';
}
