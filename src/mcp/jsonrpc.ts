import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/** JSON-RPC 2.0 error codes the bridge answers with. */
export const JsonRpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Server-defined: a transport-level refusal (session, limits, method not allowed). */
  ServerError: -32000,
  /** Server-defined: the session named by Mcp-Session-Id does not exist (for this caller). */
  SessionNotFound: -32001,
} as const;

/** A JSON-RPC id taken from an untrusted body: only strings and numbers are ids. */
export function requestIdOf(body: unknown): string | number | null {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const id = (body as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}

/**
 * Answers with a JSON-RPC error object as the whole HTTP body: what MCP clients parse, and what a
 * person reading curl output understands. `message` must say what was wrong and how to fix it.
 */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  options: { id?: string | number | null; headers?: Record<string, string>; data?: unknown } = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const error: { code: number; message: string; data?: unknown } = { code, message };
  if (options.data !== undefined) error.data = options.data;
  const body = JSON.stringify({ jsonrpc: '2.0', id: options.id ?? null, error });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...options.headers,
  });
  res.end(body);
}

/** The longest error message, and the longest error `data` as JSON, an answer carries. */
const MAX_ERROR_TEXT = 1_000;

/**
 * A message on its way to the client with its error, if any, cut to a bounded size. Error texts echo
 * what the client sent (a tool name, every invalid member of `initialize`'s params with its path), so
 * without a bound a client chooses the size of the answers, and of the work to send them.
 */
export function boundedAnswer(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message)) return message;
  const { code, message: text, data } = message.error;
  const longText = text.length > MAX_ERROR_TEXT;
  const longData = data !== undefined && JSON.stringify(data).length > MAX_ERROR_TEXT;
  if (!longText && !longData) return message;
  const cut = longText ? `${text.slice(0, MAX_ERROR_TEXT)}… (cut from ${text.length} characters)` : text;
  return { ...message, error: { code, message: cut, ...(longData || data === undefined ? {} : { data }) } };
}
