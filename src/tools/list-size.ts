import type { BridgeToolDefinition } from './types.js';

/**
 * The most a `tools/list` answer of every tool may weigh, in bytes of its JSON (about 16k tokens).
 * Clients put the whole list into the model's context on every turn, so each byte is paid for in
 * every conversation. A unit test fails when the full catalog passes it.
 *
 * What keeps it there: operation tools publish no `outputSchema`. A model is handed the result, not
 * the schema, and the result is its own description; a schema compact enough to fit ("data: array of
 * objects") told clients nothing they use, and cost over a quarter of the budget. Results still come
 * as `structuredContent`, and answers are still checked against the document's full response schema
 * (schema drift is counted). Input schemas, which a model needs to call a tool right, are kept whole.
 */
export const TOOLS_LIST_BUDGET_BYTES = 64 * 1024;

/**
 * Bytes of the JSON-RPC `result` of a `tools/list` answer serving `tools`, as the bridge sends it
 * (compact JSON, UTF-8). For the README's size table, the benchmark and the per-toolset sizes.
 */
export function toolsListBytes(tools: readonly BridgeToolDefinition[]): number {
  return Buffer.byteLength(JSON.stringify({ tools }), 'utf8');
}
