import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Operation } from '../openapi/index.js';
import type { WriteAudit, WriteAuditEntry } from '../telemetry/audit.js';
import type { UpstreamOutcome } from '../upstream/index.js';
import { COMPANY_ARGUMENTS, type CompanyIdResolver } from './company-ids.js';
import type { BridgeTool, ToolContext } from './types.js';

/** A tool's context with one more listener for NeonPanel's answer (the caller's own is kept). */
class ObservedContext implements ToolContext {
  constructor(
    private readonly inner: ToolContext,
    private readonly observe: (outcome: UpstreamOutcome) => void,
  ) {}
  get caller() {
    return this.inner.caller;
  }
  get signal() {
    return this.inner.signal;
  }
  get logger() {
    return this.inner.logger;
  }
  onUpstream(outcome: UpstreamOutcome): void {
    this.observe(outcome);
    this.inner.onUpstream?.(outcome);
  }
}

/** The id NeonPanel gave a created record: `id` (or `uuid`) of the answer or of its `data`. */
function createdIdOf(body: unknown): string | number | undefined {
  const record = (value: unknown) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  for (const candidate of [record(body), record(record(body)?.['data'])]) {
    const id = candidate?.['id'] ?? candidate?.['uuid'];
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return undefined;
}

/** What the audit records of a call's arguments: the company and the path ids of the target, nothing else. */
export function auditSubject(
  operation: Pick<Operation, 'parameters'>,
  args: Record<string, unknown>,
): Pick<WriteAuditEntry, 'company' | 'target'> {
  const company = args['companyUuid'];
  const target: Record<string, string> = {};
  for (const param of operation.parameters) {
    const value = args[param.name];
    if (
      param.in === 'path' &&
      param.name !== 'companyUuid' &&
      (typeof value === 'string' || typeof value === 'number')
    ) {
      target[param.name] = String(value);
    }
  }
  return {
    company: typeof company === 'string' || typeof company === 'number' ? String(company) : undefined,
    target: Object.keys(target).length > 0 ? target : undefined,
  };
}

/** One audit entry for a finished write: `outcome` from NeonPanel's answer, or the bridge's refusal. */
export function writeEntry(
  tool: string,
  subject: Pick<WriteAuditEntry, 'company' | 'target'>,
  ctx: ToolContext,
  result: { refusal: string } | { upstream: UpstreamOutcome | undefined; isError: boolean },
  startedAt: number,
): WriteAuditEntry {
  const upstream = 'upstream' in result ? result.upstream : undefined;
  const outcome =
    'refusal' in result
      ? result.refusal
      : upstream
        ? upstream.ok
          ? 'ok'
          : upstream.kind
        : result.isError
          ? 'invalid_arguments'
          : 'ok';
  return {
    tool,
    sub: ctx.caller.sub,
    clientId: ctx.caller.clientId,
    ...subject,
    outcome,
    status: upstream?.status,
    upstreamRequestId: upstream?.requestId,
    createdId: upstream?.ok ? createdIdOf(upstream.body) : undefined,
    durationMs: Math.round(performance.now() - startedAt),
    requestId: ctx.caller.requestId,
  };
}

/**
 * An operation tool with what surrounds every call: numeric company ids resolved to uuids first, and,
 * for a write, one audit record whatever happens (refused, failed or done).
 */
export function guardedTool(
  tool: BridgeTool,
  operation: Operation,
  deps: { audit: WriteAudit; companyIds: CompanyIdResolver },
): BridgeTool {
  const takesCompany = operation.parameters.some((p) => (COMPANY_ARGUMENTS as readonly string[]).includes(p.name));
  const write = !tool.annotations.readOnlyHint;
  if (!takesCompany && !write) return tool;
  return {
    ...tool,
    async call(args, ctx): Promise<CallToolResult> {
      const startedAt = performance.now();
      const input = args ?? {};
      const resolved = takesCompany ? await deps.companyIds.resolve(tool.name, input, ctx) : { args: input };
      if (!write) return 'error' in resolved ? resolved.error : tool.call(resolved.args, ctx);
      if ('error' in resolved) {
        deps.audit.record(
          writeEntry(tool.name, auditSubject(operation, input), ctx, { refusal: 'company_unresolved' }, startedAt),
        );
        return resolved.error;
      }
      let upstream: UpstreamOutcome | undefined;
      const result = await tool.call(
        resolved.args,
        new ObservedContext(ctx, (outcome) => {
          upstream = outcome;
        }),
      );
      const subject = auditSubject(operation, resolved.args);
      deps.audit.record(writeEntry(tool.name, subject, ctx, { upstream, isError: result.isError === true }, startedAt));
      return result;
    },
  };
}
