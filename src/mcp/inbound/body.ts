import { isJsonContentType } from '@modelcontextprotocol/server';
import type { ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { JsonRpcCode, requestIdOf, sendJsonRpcError } from '../jsonrpc.js';

/**
 * Deepest nesting of arrays and objects a body may have. MCP messages need about ten levels; much deeper
 * input only exists to exhaust the stack of code that walks it recursively (schema validation, cloning).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests arrays and objects more than `maxDepth` levels deep; walked with a stack, not recursion. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(next.value)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth });
    }
  }
  return false;
}

/**
 * JSON body parsing for the MCP routes, with answers for every kind of bad input instead of a 500:
 * a POST that is not `application/json` gets 415, a body over `maxBodyBytes` 413, broken or empty
 * JSON the JSON-RPC parse error (-32700), JSON nested deeper than MAX_JSON_DEPTH an Invalid Request
 * (-32600). Other methods pass untouched.
 */
export function jsonBody(maxBodyBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST') return next();
    if (!isJsonContentType(req.headers['content-type'] ?? null)) {
      return sendJsonRpcError(
        res,
        415,
        JsonRpcCode.ServerError,
        `Unsupported Media Type: send the JSON-RPC message with Content-Type: application/json (got ${JSON.stringify(req.headers['content-type'] ?? 'none').slice(0, 80)})`,
      );
    }
    next();
  };
  const parse = express.json({ limit: maxBodyBytes, strict: false, type: () => true });
  const requireBody: RequestHandler = (req, res, next) => {
    if (req.method === 'POST' && (req.body === undefined || req.headers['content-length'] === '0')) {
      return sendJsonRpcError(
        res,
        400,
        JsonRpcCode.ParseError,
        'Parse error: the request body is empty; send one JSON-RPC message',
      );
    }
    next();
  };
  const boundDepth: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST' || !nestsDeeperThan(req.body, MAX_JSON_DEPTH)) return next();
    sendJsonRpcError(
      res,
      400,
      JsonRpcCode.InvalidRequest,
      `Invalid Request: the body is nested too deeply (more than ${MAX_JSON_DEPTH} levels of arrays and objects); send flatter arguments`,
      { id: requestIdOf(req.body) },
    );
  };
  const parseOnPost: RequestHandler = (req, res, next) => (req.method === 'POST' ? parse(req, res, next) : next());
  return [requireJson, parseOnPost, requireBody, boundDepth];
}

/** The answer to a body that is not JSON (also given by the POST handler of the front door, src/mcp/front-door/post.ts). */
export function refuseUnparsableBody(res: ServerResponse): void {
  sendJsonRpcError(res, 400, JsonRpcCode.ParseError, 'Parse error: the request body is not valid JSON');
}

/** Turns body-parser failures into the answers `jsonBody` promises; passes every other error on. */
export const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit;
    return sendJsonRpcError(
      res,
      413,
      JsonRpcCode.InvalidRequest,
      `Payload Too Large: the request body is over the limit of ${limit} bytes (MCP_MAX_BODY_BYTES)`,
    );
  }
  if (type === 'entity.parse.failed') return refuseUnparsableBody(res);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return sendJsonRpcError(res, 415, JsonRpcCode.ServerError, 'Unsupported Media Type: send the body as UTF-8 JSON');
  }
  if (type === 'request.aborted' || type === 'stream.not.readable') return res.destroy();
  if (typeof (error as { status?: number }).status === 'number' && (error as { status: number }).status < 500) {
    return sendJsonRpcError(res, (error as { status: number }).status, JsonRpcCode.InvalidRequest, 'Bad Request');
  }
  next(error);
};
