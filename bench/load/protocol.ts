/**
 * What each benchmarked transport puts on the wire for one MCP call, and how to read its answer.
 * The 2026-07-28 shape was taken from what `@modelcontextprotocol/client` 2.4.0 sends when pinned to
 * that revision: `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` headers and the `_meta` envelope.
 */

/** Every way the benchmark reaches `list_companies`. */
export type Target =
  | 'streamable-stateless'
  | 'streamable-2026'
  | 'streamable-session'
  | 'messages-direct'
  | 'legacy-sse'
  | 'sandbox-direct'
  | 'baseline';

/** One MCP call: a JSON-RPC method with its params (the tool name for `tools/call`). */
export interface McpCall {
  method: 'tools/call' | 'tools/list';
  params: Record<string, unknown>;
}

/** A fully described HTTP request; the loader adds nothing but the connection. */
export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The protocol revision of the Streamable HTTP sessions and 2025 stateless calls (not the HTTP+SSE transport). */
export const REVISION_2025 = '2025-11-25';
export const REVISION_2026 = '2026-07-28';
export const SSE_REVISION = '2024-11-05';

const CLIENT_INFO = { name: 'neonpanel-bench', version: '1.0.0' };

export const LIST_COMPANIES: McpCall = { method: 'tools/call', params: { name: 'list_companies', arguments: {} } };
export const TOOLS_LIST: McpCall = { method: 'tools/list', params: {} };

/** JSON-RPC `initialize` for a 2025 Streamable HTTP session or a legacy SSE stream. */
export function initializeMessage(id: string | number, protocolVersion: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: CLIENT_INFO },
  });
}

export const INITIALIZED_NOTIFICATION = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

/** JSON-RPC request body for `call`; the 2026-07-28 revision carries its version and client in `_meta`. */
export function callMessage(call: McpCall, id: string | number, modern = false): string {
  const params = modern
    ? {
        ...call.params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': REVISION_2026,
          'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      }
    : call.params;
  return JSON.stringify({ jsonrpc: '2.0', id, method: call.method, params });
}

/** Headers of a Streamable HTTP POST (any revision). */
export function streamableHeaders(token: string, revision: string, sessionId?: string): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': revision,
  };
  if (sessionId) headers['mcp-session-id'] = sessionId;
  return headers;
}

/**
 * The request for one call on a request/response target. `legacy-sse` is absent: its answers come
 * on a stream, and the loader drives it separately. `sessionId` is required for `streamable-session`.
 */
export function requestFor(
  target: Exclude<Target, 'legacy-sse'>,
  call: McpCall,
  token: string,
  sessionId?: string,
): HttpRequestSpec {
  const id = 1;
  switch (target) {
    case 'streamable-stateless':
      return post('/mcp', streamableHeaders(token, REVISION_2025), callMessage(call, id));
    case 'streamable-session':
      return post('/mcp', streamableHeaders(token, REVISION_2025, sessionId), callMessage(call, id));
    case 'streamable-2026': {
      const headers: Record<string, string> = {
        ...streamableHeaders(token, REVISION_2026),
        'mcp-method': call.method,
      };
      if (typeof call.params['name'] === 'string') headers['mcp-name'] = call.params['name'];
      return post('/mcp', headers, callMessage(call, id, true));
    }
    case 'messages-direct':
      return post('/messages', jsonHeaders(token), callMessage(call, id));
    case 'baseline':
      return post('/mcp', jsonHeaders(token), callMessage(call, id));
    case 'sandbox-direct':
      return { method: 'GET', path: '/api/v1/companies', headers: { authorization: `Bearer ${token}` } };
  }
}

function jsonHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
}

function post(path: string, headers: Record<string, string>, body: string): HttpRequestSpec {
  return { method: 'POST', path, headers, body };
}

/**
 * The JSON-RPC message in an HTTP answer, whether sent as `application/json` or as an SSE stream
 * (Streamable HTTP servers may pick either); undefined when there is none.
 */
export function jsonRpcFromBody(contentType: string | undefined, body: string): Record<string, unknown> | undefined {
  if (contentType?.startsWith('text/event-stream')) {
    for (const event of parseSseEvents(body)) {
      if (event.event === 'message' && event.data) return JSON.parse(event.data) as Record<string, unknown>;
    }
    return undefined;
  }
  if (!body) return undefined;
  return JSON.parse(body) as Record<string, unknown>;
}

/**
 * Why a JSON-RPC answer is not a successful answer to `call`, or undefined when it is.
 * A tool result with `isError` counts as a failure: the benchmark must measure real work.
 */
export function rpcFailure(call: McpCall, message: Record<string, unknown> | undefined): string | undefined {
  if (!message) return 'no JSON-RPC message in the answer';
  if (message['error']) return `JSON-RPC error ${JSON.stringify(message['error']).slice(0, 200)}`;
  const result = message['result'] as Record<string, unknown> | undefined;
  if (!result) return 'JSON-RPC answer without result';
  if (call.method === 'tools/list') return Array.isArray(result['tools']) ? undefined : 'tools/list without tools';
  if (result['isError']) return `tool error ${JSON.stringify(result['content']).slice(0, 200)}`;
  return undefined;
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Splits complete SSE text into events (`event:` defaults to `message`, `data:` lines joined). */
export function parseSseEvents(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .map(parseSseBlock)
    .filter((e): e is SseEvent => e !== undefined);
}

/** One SSE block (the lines between blank lines); undefined for comments and empty blocks. */
export function parseSseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}
