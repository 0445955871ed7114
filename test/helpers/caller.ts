import type { Caller } from '../../src/caller/index.js';

/**
 * A caller as the MCP layer builds one once the token is verified (`callerOf`), for tests that hand
 * tools or the upstream client their context directly. What a test does not name gets a plain value;
 * the client id defaults to the subject, as `callerOf` does when the issuer names no client.
 */
export function testCaller(fields: Partial<Caller> = {}): Caller {
  const sub = fields.sub ?? 'alice';
  return {
    sub,
    token: 't',
    scopes: [],
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    clientId: sub,
    requestId: 'r',
    ...fields,
  };
}
