/**
 * Who is calling: the one type that follows an MCP request from the token check to the NeonPanel call.
 * The MCP layer builds it once per request (`callerOf` in src/mcp/caller.ts), the SDK carries that same
 * object to the request handlers, and the tools and the upstream client read it where they are handed it.
 * It sits below every service and imports nothing, so auth, upstream, tools and mcp can all name it.
 */

/**
 * What one connection is served: read tools only (`/mcp/readonly`), and/or some of the deployment's
 * toolsets (`?toolsets=`). The empty view is everything the deployment serves. Defined here, not in
 * src/tools, because the request's URL chooses it and it travels with the caller; the tools decide what
 * it means.
 */
export interface ToolView {
  readonly readOnly?: boolean;
  readonly toolsets?: readonly string[];
}

/**
 * The caller of one request. `token` is the raw bearer token: forwarded to NeonPanel only, never logged,
 * and never stored or published (the message bus and the session records carry the subject alone).
 */
export interface Caller {
  /** The verified token's subject. */
  readonly sub: string;
  readonly token: string;
  readonly scopes: string[];
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  /** The OAuth client the token was issued to (which assistant), the subject when the issuer names none. */
  readonly clientId: string;
  /** The correlation id of the HTTP request that carried this message (X-Request-Id). */
  readonly requestId: string;
  /** What the request's URL chose to be served (`/mcp/readonly`, `?toolsets=`); absent: everything. */
  readonly view?: ToolView;
}
