import type { AuthInfo } from '@modelcontextprotocol/server';
import type { VerifiedToken } from '../auth/index.js';
import type { Caller } from '../caller/index.js';

export type { Caller } from '../caller/index.js';

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

/** What a path's handler is given once the front door's entrance has checked the request. */
export interface McpPost {
  /** The parsed body, checked to be JSON-RPC. */
  body: unknown;
  /** Undefined for an anonymous request (discovery methods, when the deployment allows them). */
  caller: Caller | undefined;
  /** The request's correlation id (X-Request-Id). */
  requestId: string;
}

/**
 * Wraps a caller in the SDK's AuthInfo so transports hand it to request handlers. The caller itself rides
 * in the pass-through `extra`, the one value every transport (Streamable HTTP, 2026-07-28, legacy SSE)
 * carries per request: the handlers get back the object the route built, not a copy. An AuthInfo stays in
 * the process that made it (what crosses the message bus is JSON-RPC messages and session owners, never
 * this), so the token inside it goes nowhere but NeonPanel. The top-level fields are what the SDK itself reads.
 */
export function toAuthInfo(caller: Caller): AuthInfo {
  return {
    token: caller.token,
    clientId: caller.clientId,
    scopes: caller.scopes,
    expiresAt: caller.expiresAt,
    extra: { caller },
  };
}

/** The caller carried by an AuthInfo (the very object given to `toAuthInfo`), or undefined for an anonymous request. */
export function fromAuthInfo(authInfo: AuthInfo | undefined): Caller | undefined {
  const caller = authInfo?.extra?.['caller'];
  return typeof caller === 'object' && caller !== null && typeof (caller as Caller).sub === 'string'
    ? (caller as Caller)
    : undefined;
}
