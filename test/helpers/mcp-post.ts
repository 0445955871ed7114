/**
 * The init of a POST to an MCP route as a client sends it: bearer token, JSON body, and an `Accept` of
 * both answer types. `headers` adds to or replaces those.
 */
export function mcpPostInit(token: string, body: string, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  };
}

/** A POST to an MCP route (`mcpPostInit`). */
export function postMcp(url: string, token: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, mcpPostInit(token, body, headers));
}

/** Opens a 2025-era Streamable HTTP session at `url` (the `/mcp` endpoint) with `initialize`; returns its id. */
export async function openSession(url: string, token: string, protocolVersion = '2025-11-25'): Promise<string> {
  const response = await postMcp(
    url,
    token,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'test', version: '1' } },
    }),
  );
  const sessionId = response.headers.get('mcp-session-id');
  await response.text();
  if (response.status !== 200 || !sessionId) throw new Error(`initialize opened no session: HTTP ${response.status}`);
  return sessionId;
}
