import type { CallToolResult } from '@modelcontextprotocol/server';
import type { UpstreamFailure } from '../upstream/index.js';
import {
  type CompanyRecordKindName,
  findRecords,
  isCompanyRecordKind,
  recordTitle,
  servedKinds,
} from './company-records.js';
import type { JsonSchemaObject } from './input-schema.js';
import { mapLimit, type OperationInvoker } from './invoker.js';
import type { ToolBuildDeps } from './operation-tool.js';
import {
  type CompanyRow,
  formatRecordId,
  type InventoryRow,
  jsonResult,
  listAll,
  type RecordId,
  recordFailure,
  recordTool,
  recordUrl,
  type WarehouseRow,
} from './records.js';
import type { BridgeTool, ToolContext } from './types.js';

/** The API operations `search` reads through. */
export const SEARCH_OPERATIONS = ['listCompanies', 'listWarehouses', 'listInventoryItems'] as const;

/** Companies searched per query, calls in flight per search, and results returned. */
const MAX_COMPANIES = 10;
const PARALLEL_CALLS = 4;
const PER_COMPANY = 10;
const MAX_RESULTS = 25;

interface SearchHit {
  id: string;
  title: string;
  url: string;
}

/**
 * ChatGPT's `search` (connectors, deep research, company knowledge): `{query}` → one text item with
 * `{"results":[{id,title,url}]}`. Looks through the caller's companies by name, and in each of them
 * their warehouses (by name) and inventory items (SKU, ASIN, FNSKU, id, name) using the API's own
 * `search` filters, all with the caller's token.
 */
export function createSearchTool(deps: ToolBuildDeps, invoker: OperationInvoker): BridgeTool {
  const own = deps.overlay.tools['search'] ?? {};
  const title = own.title ?? 'Search NeonPanel';
  const hit = (id: RecordId, label: string, link?: unknown): SearchHit => ({
    id: formatRecordId(id),
    title: label,
    url: recordUrl(deps, id, link),
  });
  // Documents, vendors and products are searched where the deployment serves their operations.
  const kinds = servedKinds(invoker);

  /** A company's records of one kind that match the query, as hits. */
  async function findIn(company: CompanyRow, kind: CompanyRecordKindName, query: string, ctx: ToolContext) {
    const rows = await findRecords(invoker, kind, company.uuid, query, ctx);
    if (!Array.isArray(rows)) return rows;
    return rows
      .slice(0, PER_COMPANY)
      .map((row) =>
        hit({ kind, companyUuid: company.uuid, id: row.id }, `${recordTitle(kind, row)}; ${company.name}`, row['link']),
      );
  }

  async function run(query: string, ctx: ToolContext): Promise<CallToolResult> {
    const companies = await listAll<CompanyRow>(invoker, 'listCompanies', {}, ctx);
    if (!Array.isArray(companies)) return recordFailure(deps, 'search', companies, {});
    const needle = query.toLowerCase();
    const hits: SearchHit[] = companies
      .filter((c) => c.name?.toLowerCase().includes(needle) || c.uuid === query)
      .map((c) => hit({ kind: 'company', companyUuid: c.uuid }, `${c.name} (company)`));

    const scoped = companies.slice(0, MAX_COMPANIES);
    const calls = scoped.flatMap((company) => [
      { company, operationId: 'listWarehouses' },
      { company, operationId: 'listInventoryItems' },
      ...kinds.map((kind) => ({ company, operationId: kind })),
    ]);
    const failures: UpstreamFailure[] = [];
    const answers = await mapLimit(calls, PARALLEL_CALLS, async ({ company, operationId }) => {
      if (isCompanyRecordKind(operationId)) {
        const found = await findIn(company, operationId, query, ctx);
        if (Array.isArray(found)) return found;
        failures.push(found);
        return [];
      }
      const args = { companyUuid: company.uuid, search: query, page: 1, per_page: PER_COMPANY };
      const outcome = await invoker.invoke(operationId, args, ctx);
      if (!outcome.ok) {
        failures.push(outcome);
        return [];
      }
      const rows = (outcome.body as { data?: unknown[] } | undefined)?.data ?? [];
      if (operationId === 'listWarehouses') {
        return (rows as WarehouseRow[]).map((w) =>
          hit(
            { kind: 'warehouse', companyUuid: company.uuid, warehouseUuid: w.uuid },
            `${w.name} (warehouse of ${company.name})`,
          ),
        );
      }
      return (rows as InventoryRow[]).map((item) =>
        hit(
          { kind: 'inventory', companyUuid: company.uuid, inventoryId: item.id },
          `${item.name} (SKU ${item.sku ?? '?'}, ASIN ${item.asin ?? '?'}, FNSKU ${item.fnsku ?? '?'}; ${company.name})`,
        ),
      );
    });
    const found = [...hits, ...answers.flat()];
    // Partial answers are still useful; only when every lookup failed is the failure the answer.
    const [firstFailure] = failures;
    if (firstFailure && failures.length === calls.length && found.length === 0) {
      return recordFailure(deps, 'search', firstFailure, {});
    }
    return jsonResult({ results: found.slice(0, MAX_RESULTS) });
  }

  const outputSchema: JsonSchemaObject = {
    type: 'object',
    properties: {
      results: {
        type: 'array',
        items: {
          type: 'object',
          properties: { id: { type: 'string' }, title: { type: 'string' }, url: { type: 'string' } },
        },
      },
    },
  };

  return recordTool(deps, {
    name: 'search',
    title,
    own,
    argument: { name: 'query', description: 'What to look for.' },
    outputSchema,
    parse(args) {
      const query = typeof args?.['query'] === 'string' ? args['query'].trim() : undefined;
      return query && query.length <= 200
        ? { input: query }
        : { invalid: '"query" must be a non-empty string of at most 200 characters.' };
    },
    run,
  });
}
