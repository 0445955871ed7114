import type { AuthInfo } from '@modelcontextprotocol/server';
import type { VerifiedToken } from '../auth/index.js';
import type { ToolView } from '../tools/index.js';

/**
 * Who is calling, as the MCP layer needs it: the verified token's subject, the raw bearer token
 * (forwarded to NeonPanel by the tools, never logged) and the HTTP request's correlation id.
 * It travels to request handlers inside the SDK's pass-through `AuthInfo.extra`, the one value every
 * transport (Streamable HTTP, 2026-07-28, legacy SSE, the message bus) carries per request.
 */
export interface Caller {
  sub: string;
  token: string;
  scopes: string[];
  /** Seconds since the epoch. */
  expiresAt: number;
  clientId: string;
  /** The correlation id of the HTTP request that carried this message (X-Request-Id). */
  requestId: string;
  /** What the request's URL chose to be served (`/mcp/readonly`, `?toolsets=`); absent: everything. */
  view?: ToolView;
}

/** The caller of a request whose bearer `token` the auth module verified as `auth`. */
export function callerOf(auth: VerifiedToken, token: string, requestId: string): Caller {
  return {
    sub: auth.sub,
    token,
    scopes: auth.scopes,
    expiresAt: auth.expiresAt,
    clientId: auth.clientId ?? auth.sub,
    requestId,
  };
}

/** What an MCP POST handler is given, whether express's middleware or the front door's POST handler checked the request. */
export interface McpPost {
  /** The parsed body, checked to be JSON-RPC. */
  body: unknown;
  /** Undefined for an anonymous request (discovery methods, when the deployment allows them). */
  caller: Caller | undefined;
  /** The request's correlation id (X-Request-Id). */
  requestId: string;
}

/** Wraps a caller in the SDK's AuthInfo so transports hand it to request handlers. */
export function toAuthInfo(caller: Caller): AuthInfo {
  return {
    token: caller.token,
    clientId: caller.clientId,
    scopes: caller.scopes,
    expiresAt: caller.expiresAt,
    extra: { sub: caller.sub, requestId: caller.requestId, ...(caller.view ? { view: caller.view } : {}) },
  };
}

/** The caller carried by an AuthInfo, or undefined for an anonymous request. */
export function fromAuthInfo(authInfo: AuthInfo | undefined): Caller | undefined {
  const sub = authInfo?.extra?.['sub'];
  if (!authInfo || typeof sub !== 'string') return undefined;
  const requestId = authInfo.extra?.['requestId'];
  return {
    sub,
    token: authInfo.token,
    scopes: authInfo.scopes,
    expiresAt: authInfo.expiresAt ?? 0,
    clientId: authInfo.clientId,
    requestId: typeof requestId === 'string' ? requestId : '',
    ...(typeof authInfo.extra?.['view'] === 'object' ? { view: authInfo.extra['view'] as ToolView } : {}),
  };
}
