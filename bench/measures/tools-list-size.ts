/**
 * Measure 6: the size of the `tools/list` answer, as a client receives it (the JSON-RPC message of a
 * 2026-07-28 request), in bytes and in estimated tokens. Tokens are estimated as bytes / 4, the usual
 * rule of thumb for JSON with English text (no tokenizer ships with the project); treat it as ±25 %.
 */
import { request } from 'undici';
import { TOOLS_LIST, jsonRpcFromBody, requestFor, rpcFailure } from '../load/protocol.js';

export interface ToolsListSize {
  bytes: number;
  estimatedTokens: number;
  tools: number;
}

export const BYTES_PER_TOKEN = 4;

export async function measureToolsListSize(bridgeUrl: string, token: string): Promise<ToolsListSize> {
  const spec = requestFor('streamable-2026', TOOLS_LIST, token);
  const response = await request(new URL(spec.path, bridgeUrl), {
    method: spec.method,
    headers: spec.headers,
    body: spec.body ?? null,
  });
  const body = await response.body.text();
  const contentType = response.headers['content-type'];
  const message = jsonRpcFromBody(typeof contentType === 'string' ? contentType : undefined, body);
  const failure = response.statusCode === 200 ? rpcFailure(TOOLS_LIST, message) : `HTTP ${response.statusCode}`;
  if (failure) throw new Error(`tools/list failed: ${failure}`);
  const bytes = Buffer.byteLength(JSON.stringify(message));
  const tools = (message!['result'] as { tools: unknown[] }).tools.length;
  return { bytes, estimatedTokens: Math.ceil(bytes / BYTES_PER_TOKEN), tools };
}
