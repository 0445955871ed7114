import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Ajv, ValidateFunction } from 'ajv';
import { resourceMetadataUrl } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Operation } from '../openapi/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { parseRetryAfter, type UpstreamClient, type UpstreamSuccess } from '../upstream/index.js';
import { fitToBudget, type PaginationArguments } from './budget.js';
import { errorResult, type FailureSubject, failureResult } from './errors.js';
import { buildInput } from './input-schema.js';
import { toolNameFor } from './names.js';
import type { Overlay, ParameterOverlay } from './overlay.js';
import { buildRequest } from './request.js';
import type { BridgeTool, BridgeToolAnnotations, ToolContext } from './types.js';
import { type ArgumentValidator, compileArgumentValidator } from './validation.js';

/** What every tool builder needs. */
export interface ToolBuildDeps {
  config: Config;
  logger: Logger;
  metrics: Pick<Metrics, 'toolCalls' | 'schemaDrift'>;
  upstream: UpstreamClient;
  ajv: Ajv;
  overlay: Overlay;
}

/** Seconds to suggest after a 202 without Retry-After (the document's default for status polls). */
const DEFAULT_ACCEPTED_WAIT_SECONDS = 5;

/** ChatGPT shows its account-linking UI from this (Apps SDK: per-tool security schemes). */
export function securityMeta(config: Pick<Config, 'scopes'>): Record<string, unknown> {
  return { securitySchemes: [{ type: 'oauth2', ...(config.scopes ? { scopes: config.scopes } : {}) }] };
}

/**
 * Annotations from the HTTP method (RFC 9110 safe and idempotent methods): a GET reads; a POST
 * (create, sync, import) is neither idempotent nor destructive; a PUT overwrites (destructive,
 * idempotent); a DELETE removes (destructive, idempotent). The overlay may override all but
 * readOnlyHint, e.g. openWorldHint where NeonPanel reaches outside on the call.
 */
function annotationsFor(operation: Operation, title: string, overrides: Partial<BridgeToolAnnotations> = {}) {
  const method = operation.method.toUpperCase();
  const safe = method === 'GET' || method === 'HEAD';
  return {
    title,
    readOnlyHint: safe,
    destructiveHint: method === 'DELETE' || method === 'PUT' || method === 'PATCH',
    idempotentHint: safe || method === 'PUT' || method === 'DELETE',
    // NeonPanel is a closed system of the user's own records.
    openWorldHint: false,
    ...overrides,
  } satisfies BridgeToolAnnotations;
}

function firstSentence(text: string | undefined): string {
  return (text ?? '').trim().replace(/\.$/, '');
}

/** The ids a failure message should name: path parameters and company filters the caller gave. */
function idsOf(operation: Operation, args: Record<string, unknown>): FailureSubject['ids'] {
  const ids: Record<string, string | string[]> = {};
  for (const param of operation.parameters) {
    const value = args[param.name];
    if (value === undefined) continue;
    if (param.in === 'path') ids[param.name] = String(value);
    else if (param.name === 'company_uuids' && Array.isArray(value)) ids[param.name] = value.map(String);
  }
  return ids;
}

/**
 * One tool for one API operation: schemas from the document, words from the overlay, arguments
 * checked before anything is sent, every outcome a result (never a throw).
 */
export function createOperationTool(operation: Operation, deps: ToolBuildDeps): BridgeTool {
  const { config, metrics, upstream, ajv, overlay } = deps;
  const name = toolNameFor(operation.operationId);
  const own = overlay.tools[operation.operationId] ?? {};
  const parameterOverlays: Record<string, ParameterOverlay> = { ...overlay.parameters, ...own.parameters };
  const { schema: inputSchema, plan } = buildInput(operation, parameterOverlays);
  // buildRequest reads overlays only for `requiresArguments`: the others are left out once, not skipped per call.
  const requirementOverlays = Object.fromEntries(
    Object.entries(parameterOverlays).filter(([, parameter]) => parameter.requiresArguments?.length),
  );
  const title = own.title ?? (firstSentence(operation.summary) || name);
  const description =
    own.description ?? ([operation.summary, operation.description].filter(Boolean).join('. ') || title);
  const annotations = annotationsFor(operation, title, own.annotations);
  // Compiled on first use: building the catalog (start-up, openapi:check) stays fast.
  let validator: ArgumentValidator | undefined;
  let drift: ValidateFunction | undefined;
  // Drift is judged against the document's response schema; tools publish no outputSchema (see list-size.ts).
  const driftCheck = (body: unknown): ValidateFunction | undefined => {
    if (!operation.response) return undefined;
    drift ??= ajv.compile(operation.response.schema);
    return drift(body) ? undefined : drift;
  };
  const perPage = plan.query.find((p) => p.name === 'per_page');
  const pagination: PaginationArguments | undefined =
    perPage && plan.query.some((p) => p.name === 'page')
      ? { minPerPage: typeof perPage.schema['minimum'] === 'number' ? perPage.schema['minimum'] : 1 }
      : undefined;

  function success(outcome: UpstreamSuccess, ctx: ToolContext): CallToolResult {
    const body = outcome.body;
    const structured =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : { result: body ?? null };
    const mismatch = driftCheck(structured);
    if (mismatch) {
      metrics.schemaDrift.inc({ operation: operation.operationId });
      ctx.logger.warn(
        {
          operation: operation.operationId,
          upstreamRequestId: outcome.requestId,
          mismatches: (mismatch.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.keyword}`),
        },
        'NeonPanel answer does not match the API document (returned anyway)',
      );
    }
    const fitted = fitToBudget(structured, config.responseBudgetBytes, pagination);
    const content: CallToolResult['content'] = [{ type: 'text', text: fitted.text }];
    if (fitted.note) content.push({ type: 'text', text: fitted.note });
    if (outcome.status === 202) {
      const wait = parseRetryAfter(outcome.headers['retry-after']) ?? DEFAULT_ACCEPTED_WAIT_SECONDS;
      content.push({
        type: 'text',
        text: `NeonPanel accepted this and is still processing it (HTTP 202). Wait ${wait} seconds before checking the status.`,
      });
    }
    return { content, structuredContent: fitted.body as Record<string, unknown> };
  }

  async function call(args: Record<string, unknown>, ctx: ToolContext): Promise<CallToolResult> {
    const input = args ?? {};
    validator ??= compileArgumentValidator(ajv, inputSchema);
    let problems = validator.check(input);
    const built = problems.length === 0 ? buildRequest(operation, plan, requirementOverlays, input) : undefined;
    if (built && !built.ok) problems = built.problems;
    if (!built?.ok) {
      metrics.toolCalls.inc({ tool: name, outcome: 'invalid_arguments' });
      return errorResult(`Invalid arguments for ${name}: ${problems.join('; ')}. Nothing was sent to NeonPanel.`);
    }
    const outcome = await upstream.send(built.request, ctx);
    ctx.onUpstream?.(outcome);
    if (!outcome.ok) {
      metrics.toolCalls.inc({ tool: name, outcome: outcome.kind });
      return failureResult(outcome, {
        tool: name,
        ids: idsOf(operation, input),
        write: !built.request.retryable,
        resourceMetadataUrl: resourceMetadataUrl(config.publicUrl, 'mcp'),
        timeoutMs: config.upstreamTimeoutMs,
      });
    }
    metrics.toolCalls.inc({ tool: name, outcome: 'ok' });
    return success(outcome, ctx);
  }

  return {
    name,
    title,
    description,
    inputSchema,
    annotations,
    _meta: securityMeta(config),
    async call(args, ctx) {
      try {
        return await call(args, ctx);
      } catch (err) {
        // A bug in the bridge, not an upstream fault: logged in full, reported without internals.
        ctx.logger.error({ err, tool: name }, 'tool call failed inside the bridge');
        metrics.toolCalls.inc({ tool: name, outcome: 'internal_error' });
        return errorResult(
          `The bridge failed to run ${name} (request ${ctx.caller.requestId}). Try again; if it persists, report it.`,
        );
      }
    },
  };
}
