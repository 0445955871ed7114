import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { Caller } from './caller.js';
import { type RateLimiter, applyRateLimit } from './inbound/rate-limit.js';
import { JsonRpcCode, sendJsonRpcError } from './jsonrpc.js';
import { isRequestMessage } from './message-shape.js';

/** The first revision without JSON-RPC batching (2025-06-18 removed it; 2025-03-26 is the one that had it). */
const FIRST_BATCHLESS_REVISION = '2025-06-18';

/**
 * Lets a JSON-RPC batch through, or answers it and returns false:
 * - under a revision without batching (`MCP-Protocol-Version` 2025-06-18 or later; a client that sends no
 *   header runs 2025-03-26, as the specification says), 400 with an Invalid Request naming the revision;
 * - otherwise each request in it counts against the caller's per-user limit, as it would sent alone (the
 *   HTTP request was counted once already), and a batch that goes over it gets the 429 a single request
 *   would; the answer's `RateLimit-*` fields count the whole batch. Anything else passes untouched.
 */
export async function admitBatch(
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  caller: Pick<Caller, 'sub'> | undefined,
  rateLimitCheck: RateLimiter['check'],
): Promise<boolean> {
  if (!Array.isArray(body)) return true;
  const revision = req.headers['mcp-protocol-version'];
  if (typeof revision === 'string' && revision >= FIRST_BATCHLESS_REVISION) {
    sendJsonRpcError(
      res,
      400,
      JsonRpcCode.InvalidRequest,
      `Invalid Request: protocol revision ${revision.slice(0, 40)} has no JSON-RPC batches; send each message in a POST of its own`,
    );
    return false;
  }
  // The gate checked every member to be a JSON-RPC message.
  const extra = caller ? (body as JSONRPCMessage[]).filter(isRequestMessage).length - 1 : 0;
  if (extra <= 0) return true;
  const decisions = await Promise.all(Array.from({ length: extra }, () => rateLimitCheck('user', caller!.sub)));
  // A refusal, else the decision with the fewest requests left: the answer's 429, or its RateLimit fields.
  let last = decisions.find((decision) => decision && !decision.allowed);
  for (const decision of decisions) if (decision && (!last || decision.remaining < last.remaining)) last = decision;
  return last ? applyRateLimit(res, last) : true;
}
