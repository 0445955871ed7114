import type { IncomingMessage } from 'node:http';
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { Metrics } from '../telemetry/metrics.js';
import { messagesIn } from './message-shape.js';

/** The transports a request can arrive by, as metric labels. */
export type TransportLabel = 'streamable' | 'stateless' | 'modern' | 'sse' | 'messages';

/** Every protocol revision the bridge serves, newest first. */
export const PROTOCOL_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;

const KNOWN_METHODS = new Set([
  'initialize',
  'notifications/initialized',
  'notifications/cancelled',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'subscriptions/listen',
]);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The protocol revision a message claims, from the header, `initialize` or the 2026 `_meta` envelope. */
export function protocolOf(req: IncomingMessage, message: unknown): string {
  const params = asRecord(asRecord(message)?.['params']);
  const claimed =
    req.headers['mcp-protocol-version'] ??
    params?.['protocolVersion'] ??
    asRecord(params?.['_meta'])?.[PROTOCOL_VERSION_META_KEY];
  if (typeof claimed !== 'string') return 'unknown';
  return (PROTOCOL_VERSIONS as readonly string[]).includes(claimed) ? claimed : 'other';
}

/** The JSON-RPC method of one message, bounded to known names (labels must not take free text). */
export function methodOf(message: unknown): string {
  const method = asRecord(message)?.['method'];
  if (typeof method !== 'string') return 'response';
  return KNOWN_METHODS.has(method) ? method : 'other';
}

/** The single request method of a body, for logs and the anonymous-discovery check; undefined for batches. */
export function singleMethod(body: unknown): string | undefined {
  const method = asRecord(body)?.['method'];
  return typeof method === 'string' ? method : undefined;
}

/** Counts each JSON-RPC message of a body by method, protocol revision and transport. */
export function countMcpMessages(
  metrics: Pick<Metrics, 'mcpRequests'>,
  req: IncomingMessage,
  body: unknown,
  transport: TransportLabel,
): void {
  for (const message of messagesIn(body)) {
    metrics.mcpRequests.inc({ method: methodOf(message), protocol: protocolOf(req, message), transport });
  }
}
