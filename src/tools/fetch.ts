import type { CallToolResult } from '@modelcontextprotocol/server';
import { COMPANY_RECORD_KINDS, type CompanyRecordRow, readRecord, recordTitle } from './company-records.js';
import { errorResult } from './errors.js';
import type { JsonSchemaObject } from './input-schema.js';
import type { OperationInvoker } from './invoker.js';
import type { ToolBuildDeps } from './operation-tool.js';
import {
  type CompanyRow,
  formatRecordId,
  type InventoryRow,
  jsonResult,
  listAll,
  parseRecordId,
  type RecordId,
  recordFailure,
  recordTool,
  recordUrl,
  type WarehouseRow,
} from './records.js';
import type { BridgeTool, ToolContext } from './types.js';

/** The API operations `fetch` reads through. */
export const FETCH_OPERATIONS = ['listCompanies', 'listWarehouses', 'warehouseBalances', 'inventoryBalances'] as const;

/** Fields of a document, vendor or product shown as text (the whole record is in `metadata`). */
const RECORD_LINES = 40;

/** Balance lines shown for a warehouse (the first page of its balances). */
const WAREHOUSE_BALANCE_LINES = 20;

interface Fetched {
  title: string;
  lines: string[];
  metadata: Record<string, unknown>;
  /** NeonPanel's own page of the record, when it gives one. */
  link?: unknown;
}

function line(label: string, value: unknown): string[] {
  return value === undefined || value === null || value === '' ? [] : [`${label}: ${value}`];
}

function itemLines(item: Partial<InventoryRow> & Record<string, unknown>): string[] {
  return [
    ...line('SKU', item.sku),
    ...line('ASIN', item.asin),
    ...line('FNSKU', item.fnsku),
    ...line('Country', item.country_code),
    ...line('Weight (lb)', item['weight']),
    ...line(
      'Size (in)',
      [item['length'], item['height'], item['depth']].every((v) => v !== undefined)
        ? `${item['length']} × ${item['height']} × ${item['depth']}`
        : undefined,
    ),
  ];
}

/** A record's fields as lines: values as they are, a nested record by its name, a list by its length. */
function recordLines(row: CompanyRecordRow): string[] {
  return Object.entries(row)
    .flatMap(([key, value]) => {
      if (Array.isArray(value)) return [`${key}: ${value.length} ${value.length === 1 ? 'entry' : 'entries'}`];
      if (typeof value === 'object' && value !== null) {
        const name = (value as { name?: unknown }).name;
        return typeof name === 'string' ? [`${key}: ${name}`] : [];
      }
      return line(key, value);
    })
    .slice(0, RECORD_LINES);
}

/**
 * ChatGPT's `fetch`: `{id}` from `search` → one text item with `{id, title, text, url, metadata}`,
 * read with the caller's token, so another user's id answers NeonPanel's 403 as a tool error.
 */
export function createFetchTool(deps: ToolBuildDeps, invoker: OperationInvoker): BridgeTool {
  const own = deps.overlay.tools['fetch'] ?? {};
  const title = own.title ?? 'Fetch NeonPanel record';

  async function load(id: RecordId, ctx: ToolContext): Promise<Fetched | CallToolResult> {
    const companies = await listAll<CompanyRow>(invoker, 'listCompanies', {}, ctx);
    if (!Array.isArray(companies)) return recordFailure(deps, 'fetch', companies, {});
    const company = companies.find((c) => c.uuid === id.companyUuid);
    if (!company) {
      return errorResult(
        `Company ${id.companyUuid} is not among the companies this user can access. Use search or list_companies for valid ids.`,
      );
    }
    if (id.kind === 'company') {
      return {
        title: company.name,
        lines: [
          `Company: ${company.name}`,
          ...line('UUID', company.uuid),
          ...line('Currency', company.currency),
          ...line('Timezone', company.timezone),
        ],
        metadata: { type: 'company', ...company },
      };
    }
    if (id.kind === 'warehouse') {
      const warehouses = await listAll<WarehouseRow>(invoker, 'listWarehouses', { companyUuid: company.uuid }, ctx);
      if (!Array.isArray(warehouses)) return recordFailure(deps, 'fetch', warehouses, { companyUuid: company.uuid });
      const warehouse = warehouses.find((w) => w.uuid === id.warehouseUuid);
      if (!warehouse) return errorResult(`Warehouse ${id.warehouseUuid} was not found in company ${company.name}.`);
      const args = {
        companyUuid: company.uuid,
        warehouseUuid: warehouse.uuid,
        page: 1,
        per_page: WAREHOUSE_BALANCE_LINES,
      };
      const balances = await invoker.invoke('warehouseBalances', args, ctx);
      if (!balances.ok) return recordFailure(deps, 'fetch', balances, { warehouseUuid: warehouse.uuid });
      const body = balances.body as { balances_date?: string; last_page?: number; data?: unknown[] };
      const rows = (body.data ?? []) as Array<{ inventory?: InventoryRow; balance?: number }>;
      return {
        title: `${warehouse.name} (warehouse of ${company.name})`,
        lines: [
          `Warehouse: ${warehouse.name}`,
          ...line('Company', company.name),
          ...line('Type', warehouse.type),
          ...line('Country', warehouse.country_code),
          `Stock on ${body.balances_date ?? 'today'} (first ${rows.length} items; warehouse_balances lists all):`,
          ...rows.map((r) => `- ${r.inventory?.name ?? '?'} (SKU ${r.inventory?.sku ?? '?'}): ${r.balance ?? '?'}`),
        ],
        metadata: { type: 'warehouse', company_uuid: company.uuid, ...warehouse },
      };
    }
    if (id.kind !== 'inventory') {
      const read = await readRecord(invoker, id.kind, company.uuid, id.id, ctx);
      if (!read.ok) return recordFailure(deps, 'fetch', read, { companyUuid: company.uuid, id: String(id.id) });
      const record = read.row;
      if (!record) return errorResult(`${id.kind} ${id.id} was not found in company ${company.name}.`);
      const heading = recordTitle(id.kind, record);
      return {
        title: `${heading}; ${company.name}`,
        lines: [heading, ...line('Company', company.name), ...recordLines(record)],
        metadata: { type: id.kind, company_uuid: company.uuid, ...record },
        link: record['link'],
      };
    }
    const details = await invoker.invoke(
      'inventoryBalances',
      { companyUuid: company.uuid, inventoryId: id.inventoryId },
      ctx,
    );
    if (!details.ok) {
      return recordFailure(deps, 'fetch', details, { companyUuid: company.uuid, inventoryId: String(id.inventoryId) });
    }
    const body = details.body as {
      inventory?: InventoryRow & Record<string, unknown>;
      restock_data?: Record<string, unknown>;
      balances_data?: { balances_date?: string; balances_list?: Array<{ warehouse?: WarehouseRow; balance?: number }> };
    };
    const item: InventoryRow & Record<string, unknown> = body.inventory ?? {
      id: id.inventoryId,
      name: `Item ${id.inventoryId}`,
    };
    const balances = body.balances_data?.balances_list ?? [];
    return {
      title: `${item.name} (${company.name})`,
      lines: [
        `Inventory item: ${item.name}`,
        ...line('Company', company.name),
        ...line('Id', item.id),
        ...itemLines(item),
        ...(body.restock_data
          ? ['Restock settings:', ...Object.entries(body.restock_data).map(([k, v]) => `- ${k}: ${v}`)]
          : []),
        `Stock on ${body.balances_data?.balances_date ?? 'today'}:`,
        ...balances.map((b) => `- ${b.warehouse?.name ?? '?'}: ${b.balance ?? '?'}`),
      ],
      metadata: {
        type: 'inventory',
        company_uuid: company.uuid,
        ...item,
        restock_data: body.restock_data,
        balances_data: body.balances_data,
      },
    };
  }

  const outputSchema: JsonSchemaObject = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      text: { type: 'string' },
      url: { type: 'string' },
      metadata: { type: 'object' },
    },
  };

  return recordTool<RecordId>(deps, {
    name: 'fetch',
    title,
    own,
    argument: { name: 'id', description: 'An id from search.' },
    outputSchema,
    parse(args) {
      const raw = typeof args?.['id'] === 'string' ? args['id'] : undefined;
      const id = raw ? parseRecordId(raw) : undefined;
      return id
        ? { input: id }
        : {
            invalid: `"id" must be an id returned by search (company:<uuid>, warehouse:<companyUuid>:<warehouseUuid>, inventory:<companyUuid>:<itemId>, or ${Object.keys(COMPANY_RECORD_KINDS).join('|')}:<companyUuid>:<id>), got ${JSON.stringify(raw ?? args?.['id'] ?? null)}.`,
          };
    },
    async run(id, ctx) {
      const loaded = await load(id, ctx);
      if ('content' in loaded) return loaded;
      return jsonResult({
        id: formatRecordId(id),
        title: loaded.title,
        text: loaded.lines.join('\n'),
        url: recordUrl(deps, id, loaded.link),
        metadata: loaded.metadata,
      });
    },
  });
}
