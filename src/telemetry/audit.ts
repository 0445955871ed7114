import pino, { type DestinationStream } from 'pino';
import type { Config } from '../config/index.js';
import type { Metrics } from './metrics.js';

/**
 * One write tool call (create, update, delete, sync, import), as the audit log records it. Ids and
 * outcomes only: never a token, never a value of the request body beyond the ids that name the target.
 */
export interface WriteAuditEntry {
  /** The tool's name (`create_bill`). */
  tool: string;
  /** The verified token's `sub` and the OAuth client it was issued to (which assistant). */
  sub: string;
  clientId: string | undefined;
  /** The company the write was for (`companyUuid`), when the call named one. */
  company: string | undefined;
  /** The path ids of the record written (`{billId: "42"}`), when the call named one. */
  target: Record<string, string> | undefined;
  /**
   * `ok`; `read_only`, `company_unresolved` or `invalid_arguments` when the bridge refused it and sent nothing; otherwise the
   * upstream failure kind (`rejected`, `forbidden`, `unavailable`, `connection`, …).
   */
  outcome: string;
  /** NeonPanel's HTTP status, when it answered. */
  status: number | undefined;
  /** The `X-Request-Id` of the NeonPanel call, when one was made. */
  upstreamRequestId: string | undefined;
  /** The id NeonPanel gave a created record. */
  createdId: string | number | undefined;
  durationMs: number;
  /** The MCP-side correlation id (the HTTP request's `X-Request-Id`). */
  requestId: string;
}

/** Records write tool calls: one JSON line each on the audit log, and the writes counter. */
export interface WriteAudit {
  record(entry: WriteAuditEntry): void;
}

/**
 * Where the audit lines go: `stdout` and `stderr` by name, anything else a file appended to (created
 * with its folder). Asynchronous like the main logger; pino flushes on exit.
 */
function auditDestination(target: string): DestinationStream {
  if (target === 'stdout') return pino.destination({ dest: 1, sync: false });
  if (target === 'stderr') return pino.destination({ dest: 2, sync: false });
  return pino.destination({ dest: target, sync: false, mkdir: true, append: true });
}

/**
 * The write audit on its own pino logger (operators ship it apart from the access log): every line
 * carries `"log":"audit"` so it can also be told apart when it shares stdout with the other logs.
 */
export function createWriteAudit(
  config: Pick<Config, 'auditLog'>,
  metrics: Pick<Metrics, 'writes'>,
  destination: DestinationStream = auditDestination(config.auditLog),
): WriteAudit {
  const logger = pino(
    { name: 'neonpanel-mcp', level: 'info', base: { log: 'audit' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  return {
    record(entry) {
      metrics.writes.inc({ tool: entry.tool, outcome: entry.outcome });
      logger.info(
        {
          tool: entry.tool,
          sub: entry.sub,
          client_id: entry.clientId,
          company: entry.company,
          target: entry.target,
          outcome: entry.outcome,
          status: entry.status,
          upstream_request_id: entry.upstreamRequestId,
          created_id: entry.createdId,
          duration_ms: entry.durationMs,
          request_id: entry.requestId,
        },
        'write',
      );
    },
  };
}
