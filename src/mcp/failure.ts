import type { ServerResponse } from 'node:http';
import { StoreUnavailableError } from '../state/errors.js';
import type { Logger } from '../telemetry/logger.js';
import { JsonRpcCode, sendJsonRpcError } from './jsonrpc.js';

/**
 * Answers an MCP HTTP request whose handling threw. A store that cannot answer gives a clear,
 * retryable 503, never a hang. Anything else is a bug in the bridge: logged here in full, answered as a
 * JSON-RPC internal error without its details. Returns the status sent.
 */
export function answerFailure(
  res: ServerResponse,
  error: unknown,
  context: { requestId: string; id?: string | number | null; logger: Logger; headers?: Record<string, string> },
): number {
  const { requestId, id, logger, headers } = context;
  if (error instanceof StoreUnavailableError) {
    logger.warn({ err: error.message }, 'MCP request failed: shared state unavailable');
    sendJsonRpcError(
      res,
      503,
      JsonRpcCode.ServerError,
      'The server could not complete this request right now (shared state unavailable); retry shortly',
      { id, headers: { 'Retry-After': '2', ...headers } },
    );
    return 503;
  }
  logger.error({ err: error, reqId: requestId }, 'MCP request failed inside the bridge');
  sendJsonRpcError(
    res,
    500,
    JsonRpcCode.InternalError,
    `Internal error: the server failed to handle this request (request id ${requestId}); retry, and report it if it persists`,
    { id, headers },
  );
  return 500;
}
