import { parseSse } from './raw-http.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with one JSON-RPC 2.0 message a server sent (empty when nothing is): a response has
 * `jsonrpc: "2.0"`, an `id` that is a string, number or null, and exactly one of `result` or
 * `error`; an error has an integer `code` and a non-empty `message`. Requests and notifications
 * (server to client) need a string `method`.
 */
export function jsonRpcProblems(message: unknown): string[] {
  if (!isRecord(message)) return [`not an object: ${JSON.stringify(message)?.slice(0, 80)}`];
  const problems: string[] = [];
  if (message['jsonrpc'] !== '2.0') problems.push(`jsonrpc is ${JSON.stringify(message['jsonrpc'])}, not "2.0"`);
  if ('method' in message) {
    if (typeof message['method'] !== 'string') problems.push('method is not a string');
    return problems;
  }
  const id = message['id'];
  if (!('id' in message)) problems.push('response without id');
  else if (id !== null && typeof id !== 'string' && typeof id !== 'number') problems.push(`id has type ${typeof id}`);
  const hasResult = 'result' in message;
  const hasError = 'error' in message;
  if (hasResult === hasError) problems.push('needs exactly one of result and error');
  if (hasError) {
    const error = message['error'];
    if (!isRecord(error)) problems.push('error is not an object');
    else {
      if (!Number.isInteger(error['code'])) problems.push(`error.code is ${JSON.stringify(error['code'])}`);
      if (typeof error['message'] !== 'string' || error['message'] === '') problems.push('error.message is empty');
    }
  }
  return problems;
}

/** Every JSON-RPC message in an HTTP body: a JSON object, a batch array, or SSE `data:` lines. */
export function jsonRpcMessagesIn(contentType: string, body: string): { messages: unknown[]; problems: string[] } {
  const problems: string[] = [];
  const texts: string[] = [];
  if (contentType.includes('text/event-stream')) {
    // An event with an id and empty data primes resumption (Last-Event-ID); it carries no message.
    for (const event of parseSse(`${body}\n\n`).events) {
      if (event.event === 'message' && event.data !== '') texts.push(event.data);
    }
  } else if (contentType.includes('json') && body.trim() !== '') {
    texts.push(body);
  }
  const messages: unknown[] = [];
  for (const text of texts) {
    try {
      const parsed: unknown = JSON.parse(text);
      messages.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    } catch {
      problems.push(`body is not JSON: ${text.slice(0, 80)}`);
    }
  }
  return { messages, problems };
}

/**
 * Problems with an MCP route's answer: every JSON-RPC-looking message must be well-formed. Plain
 * JSON errors (a 401 challenge body, a 413 notice) are allowed when they are not JSON-RPC at all.
 */
export function mcpReplyProblems(contentType: string, body: string): string[] {
  const { messages, problems } = jsonRpcMessagesIn(contentType, body);
  for (const message of messages) {
    // An OAuth error body ({"error": "invalid_token", …}) is not JSON-RPC; an error object with a code is.
    const looksJsonRpc =
      isRecord(message) &&
      ('jsonrpc' in message || 'result' in message || (isRecord(message['error']) && 'code' in message['error']));
    if (looksJsonRpc) problems.push(...jsonRpcProblems(message));
  }
  return problems;
}
