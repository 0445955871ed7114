import { jsonRpcMessagesIn } from './jsonrpc.js';
import { type SseStream, openSse } from './raw-http.js';

const PROTOCOL_2025 = '2025-11-25';

/** The answer to one raw HTTP exchange with the bridge. */
export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** JSON-RPC messages in the body (JSON or SSE). */
  messages: unknown[];
}

/** POSTs one JSON-RPC message (or batch) and reads the whole answer. */
export async function postJsonRpc(url: string, headers: Record<string, string>, body: unknown): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: text,
    messages: jsonRpcMessagesIn(contentType, text).messages,
  };
}

/** A Streamable HTTP (2025) session opened by hand, so every byte of it can be inspected. */
export interface RawStreamableSession {
  id: string;
  /** POSTs a request in the session and returns its answer. */
  request(id: string, method: string, params?: Record<string, unknown>): Promise<RawAnswer>;
  /** Opens the session's server stream (GET /mcp). */
  openStream(extraHeaders?: Record<string, string>): Promise<SseStream>;
  /** DELETE /mcp. */
  terminate(): Promise<number>;
}

/** `initialize` + `notifications/initialized` with `token`; throws unless a session id comes back. */
export async function openStreamableSession(baseUrl: string, token: string): Promise<RawStreamableSession> {
  const auth = { Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': PROTOCOL_2025 };
  const init = await postJsonRpc(`${baseUrl}/mcp`, auth, {
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: PROTOCOL_2025, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const id = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !id) throw new Error(`initialize answered ${init.status} without a session: ${init.body}`);
  const inSession = { ...auth, 'Mcp-Session-Id': id };
  await postJsonRpc(`${baseUrl}/mcp`, inSession, { jsonrpc: '2.0', method: 'notifications/initialized' });
  return {
    id,
    request: (requestId, method, params = {}) =>
      postJsonRpc(`${baseUrl}/mcp`, inSession, { jsonrpc: '2.0', id: requestId, method, params }),
    openStream: (extraHeaders = {}) => openSse(`${baseUrl}/mcp`, { ...inSession, ...extraHeaders }),
    async terminate() {
      const response = await fetch(`${baseUrl}/mcp`, { method: 'DELETE', headers: inSession });
      await response.body?.cancel();
      return response.status;
    },
  };
}

/** A legacy HTTP+SSE session opened by hand: the stream, and POSTs to the endpoint it announced. */
export interface RawLegacySession {
  id: string;
  stream: SseStream;
  /** POSTs a message to `/messages?sessionId=…` with `token` (default the owner's); returns the status and body. */
  post(message: unknown, token?: string): Promise<{ status: number; body: string }>;
  close(): void;
}

export async function openLegacySession(baseUrl: string, token: string): Promise<RawLegacySession> {
  const stream = await openSse(`${baseUrl}/sse`, { Authorization: `Bearer ${token}` });
  if (stream.status !== 200) throw new Error(`GET /sse answered ${stream.status}`);
  const endpoint = await stream.waitFor((event) => event.event === 'endpoint');
  const url = new URL(endpoint.data, baseUrl);
  const id = url.searchParams.get('sessionId') ?? '';
  return {
    id,
    stream,
    async post(message, asToken = token) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${asToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(message),
      });
      return { status: response.status, body: await response.text() };
    },
    close: () => stream.close(),
  };
}
