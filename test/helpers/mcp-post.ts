/**
 * A POST to an MCP route as a 2025-era client sends it: bearer token, JSON body, and an `Accept` of
 * both answer types. `headers` adds to or replaces those.
 */
export function postMcp(url: string, token: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  });
}
