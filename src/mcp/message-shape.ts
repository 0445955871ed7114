/**
 * A structural check of JSON-RPC 2.0 messages with the rules of the MCP SDK's `JSONRPCMessageSchema`
 * (no extra members at the top level, safe-integer or string ids, an error object's own extra members allowed, object params with an optional `_meta`), written out by hand
 * because it runs on every request before the SDK validates the message again with zod: the gate only
 * has to tell JSON-RPC from other JSON, and doing it twice with zod was a measurable share of a call.
 * message-shape.test.ts checks it against the SDK's own parser on generated input.
 */
import {
  type InitializeRequest,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  isInitializeRequest,
} from '@modelcontextprotocol/server';

type Members = Record<string, unknown>;

const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';
const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const NOTIFICATION_KEYS = new Set(['jsonrpc', 'method', 'params']);
const RESULT_KEYS = new Set(['jsonrpc', 'id', 'result']);
const ERROR_KEYS = new Set(['jsonrpc', 'id', 'error']);

function isObject(value: unknown): value is Members {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Members, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

function isRequestId(value: unknown): boolean {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

/** `params._meta` of requests and notifications: a loose object whose two known members are typed. */
function isValidMeta(meta: unknown): boolean {
  if (meta === undefined) return true;
  if (!isObject(meta)) return false;
  const progressToken = meta['progressToken'];
  if (progressToken !== undefined && typeof progressToken !== 'string' && !Number.isSafeInteger(progressToken)) {
    return false;
  }
  const relatedTask = meta[RELATED_TASK_META_KEY];
  return relatedTask === undefined || (isObject(relatedTask) && typeof relatedTask['taskId'] === 'string');
}

function isValidParams(params: unknown): boolean {
  return params === undefined || (isObject(params) && isValidMeta(params['_meta']));
}

function isCall(message: Members, keys: ReadonlySet<string>): boolean {
  return onlyKeys(message, keys) && typeof message['method'] === 'string' && isValidParams(message['params']);
}

function isResultMeta(meta: unknown): boolean {
  return meta === undefined || isObject(meta);
}

/** Whether `value` is one JSON-RPC 2.0 request, notification, result or error as MCP defines them. */
export function isJsonRpcMessage(value: unknown): boolean {
  if (!isObject(value) || value['jsonrpc'] !== '2.0') return false;
  if ('method' in value) {
    return 'id' in value ? isRequestId(value['id']) && isCall(value, REQUEST_KEYS) : isCall(value, NOTIFICATION_KEYS);
  }
  if ('result' in value) {
    const result = value['result'];
    return (
      onlyKeys(value, RESULT_KEYS) && isRequestId(value['id']) && isObject(result) && isResultMeta(result['_meta'])
    );
  }
  if (!('error' in value) || !onlyKeys(value, ERROR_KEYS)) return false;
  if ('id' in value && value['id'] !== undefined && !isRequestId(value['id'])) return false;
  const error = value['error'];
  return isObject(error) && Number.isSafeInteger(error['code']) && typeof error['message'] === 'string';
}

/** Whether a parsed body is one JSON-RPC 2.0 message or a non-empty batch of them. */
export function isJsonRpcBody(body: unknown): boolean {
  if (!Array.isArray(body)) return isJsonRpcMessage(body);
  return body.length > 0 && body.every(isJsonRpcMessage);
}

/** The messages of a JSON-RPC body: the batch's, or the one message. */
export function messagesIn(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [body];
}

/*
 * Tests of messages already known to be JSON-RPC: checked by `isJsonRpcMessage`, or sent by the SDK's own
 * server. The SDK's guards (`isJSONRPCRequest`, `isInitializeRequest`, …) run a zod parse each, and a
 * failing zod parse builds its list of issues: several of them on every call showed in its profile.
 */

/** Whether a JSON-RPC message is a request (a method and an id). */
export function isRequestMessage(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

/** Whether a JSON-RPC message answers a request (a result or an error). */
export function isAnswerMessage(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return 'result' in message || 'error' in message;
}

/** Whether a parsed body is a valid `initialize` request: the SDK's test, run only where the method says so. */
export function isInitializeMessage(body: unknown): body is InitializeRequest {
  return (body as { method?: unknown } | null)?.method === 'initialize' && isInitializeRequest(body);
}
