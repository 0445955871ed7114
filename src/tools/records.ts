import type { CallToolResult } from '@modelcontextprotocol/server';
import { resourceMetadataUrl } from '../auth/index.js';
import { encodePathSegment, type UpstreamFailure } from '../upstream/index.js';
import { type CompanyRecordKindName, isCompanyRecordKind } from './company-records.js';
import { errorResult, failureResult } from './errors.js';
import type { JsonSchemaObject } from './input-schema.js';
import type { OperationInvoker } from './invoker.js';
import { securityMeta, type ToolBuildDeps } from './operation-tool.js';
import type { Overlay, ToolOverlay } from './overlay.js';
import type { BridgeTool, ToolContext } from './types.js';

/**
 * What `search` and `fetch` share: the record kinds and their ids, NeonPanel links for citations,
 * and paged listing through the API with the caller's own token (so results are the caller's data).
 */

export type RecordKind = keyof Overlay['links'];

/**
 * A parsed record id: `company:<uuid>`, `warehouse:<companyUuid>:<warehouseUuid>`, `inventory:<companyUuid>:<id>`,
 * and `<kind>:<companyUuid>:<id>` for a company's documents, vendors and products (`bill:<companyUuid>:17`).
 */
export type RecordId =
  | { kind: 'company'; companyUuid: string }
  | { kind: 'warehouse'; companyUuid: string; warehouseUuid: string }
  | { kind: 'inventory'; companyUuid: string; inventoryId: number }
  | { kind: CompanyRecordKindName; companyUuid: string; id: number };

export function formatRecordId(id: RecordId): string {
  switch (id.kind) {
    case 'company':
      return `company:${id.companyUuid}`;
    case 'warehouse':
      return `warehouse:${id.companyUuid}:${id.warehouseUuid}`;
    case 'inventory':
      return `inventory:${id.companyUuid}:${id.inventoryId}`;
    default:
      return `${id.kind}:${id.companyUuid}:${id.id}`;
  }
}

/** Parses an id `search` returned; undefined for anything else. */
export function parseRecordId(text: string): RecordId | undefined {
  const parts = text.trim().split(':');
  const [kind, companyUuid, third] = parts;
  if (!companyUuid) return undefined;
  if (kind === 'company' && parts.length === 2) return { kind, companyUuid };
  if (kind === 'warehouse' && parts.length === 3 && third) return { kind, companyUuid, warehouseUuid: third };
  const numeric = parts.length === 3 && third !== undefined && /^\d{1,15}$/.test(third);
  if (kind === 'inventory' && numeric) return { kind, companyUuid, inventoryId: Number(third) };
  if (kind !== undefined && isCompanyRecordKind(kind) && numeric) return { kind, companyUuid, id: Number(third) };
  return undefined;
}

/**
 * The record's page in NeonPanel, on the API's origin, every id an encoded path segment. A document's
 * own `link` (NeonPanel gives one) wins; a vendor or product, which has no page of its own, links to
 * its company.
 */
export function recordUrl(deps: Pick<ToolBuildDeps, 'config' | 'overlay'>, id: RecordId, link?: unknown): string {
  if (typeof link === 'string' && /^https?:\/\//.test(link)) return link;
  const values: Record<string, string> = { companyUuid: id.companyUuid };
  if (id.kind === 'warehouse') values['warehouseUuid'] = id.warehouseUuid;
  if (id.kind === 'inventory') values['inventoryId'] = String(id.inventoryId);
  const template =
    id.kind === 'warehouse' || id.kind === 'inventory' ? deps.overlay.links[id.kind] : deps.overlay.links.company;
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => encodePathSegment(values[name] ?? ''));
  return `${new URL(deps.config.apiUrl).origin}${path}`;
}

export interface CompanyRow {
  uuid: string;
  name: string;
  currency?: string;
  timezone?: string;
}

export interface WarehouseRow {
  uuid: string;
  name: string;
  type?: string | null;
  country_code?: string | null;
}

export interface InventoryRow {
  id: number;
  name: string;
  sku?: string;
  asin?: string;
  fnsku?: string;
  country_code?: string;
}

/** Largest page the API allows, and how many pages a listing may walk before it stops. */
const PAGE_SIZE = 60;
const MAX_PAGES = 5;

/** Walks a paginated listing (up to MAX_PAGES pages of PAGE_SIZE) and returns its `data` rows. */
export async function listAll<T>(
  invoker: OperationInvoker,
  operationId: string,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<T[] | UpstreamFailure> {
  const rows: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const outcome = await invoker.invoke(operationId, { ...args, page, per_page: PAGE_SIZE }, ctx);
    if (!outcome.ok) return outcome;
    const body = outcome.body as { data?: unknown; last_page?: unknown } | undefined;
    if (Array.isArray(body?.data)) rows.push(...(body.data as T[]));
    if (typeof body?.last_page !== 'number' || page >= body.last_page) break;
  }
  return rows;
}

/** A failure of a call `search`/`fetch` made, as the tool's error result. */
export function recordFailure(
  deps: Pick<ToolBuildDeps, 'config'>,
  tool: string,
  failure: UpstreamFailure,
  ids: Record<string, string>,
): CallToolResult {
  return failureResult(failure, {
    tool,
    ids,
    write: false,
    resourceMetadataUrl: resourceMetadataUrl(deps.config.publicUrl, 'mcp'),
    timeoutMs: deps.config.upstreamTimeoutMs,
  });
}

/** ChatGPT's connector contract: exactly one text item holding the JSON, plus the same as structured content. */
export function jsonResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/** What sets `search` or `fetch` apart; {@link recordTool} adds what they share. */
export interface RecordToolSpec<Input> {
  name: 'search' | 'fetch';
  title: string;
  /** The overlay's entry for the tool: its descriptions and annotation overrides. */
  own: ToolOverlay;
  /** The tool's one argument, a string of 1 to 200 characters, and its description unless the overlay has one. */
  argument: { name: string; description: string };
  outputSchema: JsonSchemaObject;
  /** The checked input, or why the arguments are invalid (then nothing is sent to NeonPanel). */
  parse(args: Record<string, unknown>): { input: Input } | { invalid: string };
  run(input: Input, ctx: ToolContext): Promise<CallToolResult>;
}

/**
 * A read-only record tool: listed with the overlay's description and annotation overrides and the OAuth
 * security scheme, each call counted by outcome, and a bug inside the bridge answered as a tool error.
 */
export function recordTool<Input>(
  deps: Pick<ToolBuildDeps, 'config' | 'metrics'>,
  spec: RecordToolSpec<Input>,
): BridgeTool {
  const { name, title, own, argument } = spec;
  return {
    name,
    title,
    description: own.description ?? title,
    inputSchema: {
      type: 'object',
      properties: {
        [argument.name]: {
          type: 'string',
          minLength: 1,
          maxLength: 200,
          description: own.parameters?.[argument.name]?.description ?? argument.description,
        },
      },
      required: [argument.name],
      additionalProperties: false,
    },
    outputSchema: spec.outputSchema,
    annotations: {
      title,
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
      ...own.annotations,
    },
    _meta: securityMeta(deps.config),
    async call(args, ctx) {
      const parsed = spec.parse(args);
      if ('invalid' in parsed) {
        deps.metrics.toolCalls.inc({ tool: name, outcome: 'invalid_arguments' });
        return errorResult(`Invalid arguments for ${name}: ${parsed.invalid} Nothing was sent to NeonPanel.`);
      }
      try {
        const result = await spec.run(parsed.input, ctx);
        deps.metrics.toolCalls.inc({ tool: name, outcome: result.isError ? 'error' : 'ok' });
        return result;
      } catch (err) {
        ctx.logger.error({ err, tool: name }, 'tool call failed inside the bridge');
        deps.metrics.toolCalls.inc({ tool: name, outcome: 'internal_error' });
        return errorResult(`The bridge failed to run ${name} (request ${ctx.caller.requestId}). Try again.`);
      }
    },
  };
}
