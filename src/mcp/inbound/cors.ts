import type { IncomingMessage, ServerResponse } from 'node:http';

/** Methods a browser client may use on the MCP routes and the discovery documents. */
const CORS_ALLOWED_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'] as const;

/** Request headers MCP clients send (Streamable HTTP, 2026-07-28 routing headers, SSE resumption). */
const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Mcp-Session-Id',
  'MCP-Protocol-Version',
  'Mcp-Method',
  'Mcp-Name',
  'Last-Event-ID',
] as const;

/** Response headers a browser client must be able to read: the challenge and the session. */
const CORS_EXPOSED_HEADERS = ['WWW-Authenticate', 'Mcp-Session-Id', 'MCP-Protocol-Version'] as const;

const EXPOSED = CORS_EXPOSED_HEADERS.join(', ');

/** The CORS headers of every answer to a request from `origin` (none without one): the origin echoed, the exposed headers. */
export function originHeaders(origin: string | undefined): Record<string, string> {
  return origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED } : {};
}

/** How long a browser may reuse a preflight answer, seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS.join(', '),
  'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(', '),
  'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
  Allow: CORS_ALLOWED_METHODS.join(', '),
};

/**
 * Answers a CORS preflight (`OPTIONS`) with 204, before any bearer gate (browsers never send a token on
 * it), on every route a browser client may call (MCP Inspector, web-based clients). Any origin is allowed
 * and echoed (`originHeaders`, set on every answer): the bridge authenticates with bearer tokens, never
 * cookies, so a foreign page gains nothing a script outside the browser would not have, and no
 * credentials mode is offered.
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  for (const [name, value] of Object.entries(PREFLIGHT_HEADERS)) res.setHeader(name, value);
  // Chrome's Private Network Access asks this before a public page may reach a loopback bridge.
  if (req.headers['access-control-request-private-network'] === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.writeHead(204).end();
}
