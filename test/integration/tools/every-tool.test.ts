import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, toolNameFor } from '../../../src/tools/index.js';
import { scratchDirs } from '../../helpers/scratch.js';
import { type Stack, startStack } from '../../helpers/stack.js';
import { toolText } from '../../helpers/tool-result.js';

/**
 * Every tool of the catalog, called through the bridge against the sandbox with the SDK client: each read
 * tool answers exactly what NeonPanel (the sandbox) answers alice for the same request; each create,
 * update and delete round-trips; bob is refused alice's companies on every tool that takes one. The tool
 * list comes from the catalog, so a tool without a case here fails the suite.
 */

// biome-ignore lint/suspicious/noExplicitAny: tool results are arbitrary JSON
type Json = Record<string, any>;

const scratch = scratchDirs();
const catalog = loadCatalog();
const CATALOG_TOOLS = [...catalog.operations.map((op) => toolNameFor(op.operationId)), 'search', 'fetch'];
const COMPANY_TOOLS = new Set(
  catalog.operations
    .filter((op) => op.parameters.some((p) => p.name === 'companyUuid'))
    .map((op) => toolNameFor(op.operationId)),
);

let stack: Stack;
let alice: Client;
let bob: Client;
let aliceToken: string;
let company: string;

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'every-tool', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

beforeAll(async () => {
  stack = await startStack({ env: { AUDIT_LOG: join(scratch('audit-'), 'audit.log') } });
  aliceToken = await stack.tokenFor('alice');
  alice = await connect(aliceToken);
  bob = await connect(await stack.tokenFor('bob'));
  const bobs = stack.sandbox.users['bob']?.companyUuids ?? [];
  company = stack.sandbox.users['alice']?.companyUuids.find((uuid) => !bobs.includes(uuid)) as string;
});
afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await stack?.close();
});

/** Calls a tool as alice (or `client`) and returns its structured result; an error result fails the test. */
async function call(name: string, args: Json, client: Client = alice): Promise<Json> {
  const result = (await client.callTool({ name, arguments: args })) as Json;
  expect(result['isError'], `${name}: ${toolText(result)}`).toBeFalsy();
  return (result['structuredContent'] ?? {}) as Json;
}

/** The first row of a listing as alice. */
async function first(name: string, args: Json = { companyUuid: company }): Promise<Json> {
  const rows = (await call(name, args))['data'] as Json[];
  expect(rows?.length, `${name} lists something for alice`).toBeGreaterThan(0);
  return rows[0] as Json;
}

const memo = new Map<string, Promise<unknown>>();
/** Ids the cases need, each read once through the tools themselves. */
function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  if (!memo.has(key)) memo.set(key, load());
  return memo.get(key) as Promise<T>;
}
const ids = {
  item: () => once('item', () => first('list_inventory_items')),
  warehouse: () => once('warehouse', () => first('list_warehouses')),
  permission: () =>
    once('permission', async () => ((await call('list_permissions', {}))['permissions'] as string[])[0]),
  /** An item with stock in a warehouse (so its landed costs have rows), and that warehouse. */
  stocked: () =>
    once('stocked', async () => {
      const warehouse = await ids.warehouse();
      const row = await first('warehouse_balances', { companyUuid: company, warehouseUuid: warehouse['uuid'] });
      return { inventoryId: row['inventory']['id'] as number, warehouseUuid: warehouse['uuid'] as string };
    }),
  /** The product and listing of an item (their listings need an id, SKU or search). */
  details: () =>
    once('details', async () =>
      call('get_inventory_item', { companyUuid: company, inventoryId: (await ids.item())['id'] }),
    ),
  report: () => once('report', async () => ((await call('list_reports', {}))['data'] as Json[])[0]),
  importRequest: () =>
    once('import', async () => {
      const data = { vendor: 'Every Tool Supply', ref_number: 'ET-1', date: '2025-02-01', items: [] };
      return (await call('create_documents', { companyUuid: company, type: 'bill', data }))['request_id'] as string;
    }),
};

/** The arguments of each read tool as alice calls it. */
const READS: Record<string, () => Promise<Json>> = {
  list_companies: async () => ({}),
  list_permissions: async () => ({}),
  list_companies_with_permission: async () => ({ permission: await ids.permission() }),
  list_permissions_by_company: async () => ({ companyUuid: company }),
  get_forecasting_settings: async () => ({ companyUuid: company }),
  list_reports: async () => ({}),
  get_report: async () => ({ reportId: (await ids.report())?.['id'] }),
  revenue_and_cogs_summary: async () => ({
    company_uuids: [company],
    start_date: '2024-01-01',
    end_date: '2025-12-31',
  }),
  list_warehouses: async () => ({ companyUuid: company }),
  warehouse_balances: async () => ({ companyUuid: company, warehouseUuid: (await ids.warehouse())['uuid'] }),
  list_inventory_items: async () => ({ companyUuid: company }),
  get_inventory_item: async () => ({ companyUuid: company, inventoryId: (await ids.item())['id'] }),
  inventory_balances: async () => ({ companyUuid: company, inventoryId: (await ids.item())['id'] }),
  list_inventory_landed_costs: async () => ({
    companyUuid: company,
    inventoryId: (await ids.stocked()).inventoryId,
    warehouse_uuid: (await ids.stocked()).warehouseUuid,
    start_date: '2024-01-01',
  }),
  list_inventory_cogs: async () => ({
    companyUuid: company,
    inventoryId: (await ids.item())['id'],
    start_date: '2024-01-01',
  }),
  list_products: async () => ({ companyUuid: company, id: (await ids.details())['product']['id'] }),
  list_listings: async () => ({ companyUuid: company, id: (await ids.details())['listing']['id'] }),
  get_import_instructions: async () => ({ type: 'bill' }),
  check_import_processing: async () => ({ companyUuid: company, type: 'bill', requestId: await ids.importRequest() }),
  list_inventory_orders: async () => ({ companyUuid: company }),
  get_inventory_order: async () => ({ companyUuid: company, orderId: (await first('list_inventory_orders'))['id'] }),
  list_bills: async () => ({ companyUuid: company }),
  get_bill: async () => ({ companyUuid: company, billId: (await first('list_bills'))['id'] }),
  list_payment_requests: async () => ({ companyUuid: company }),
  list_vendors: async () => ({ companyUuid: company }),
  list_services: async () => ({ companyUuid: company }),
  list_payment_terms: async () => ({ companyUuid: company }),
  list_invoices: async () => ({ companyUuid: company }),
  get_invoice: async () => ({ companyUuid: company, invoiceId: (await first('list_invoices'))['id'] }),
  list_shipments: async () => ({ companyUuid: company }),
  get_shipment: async () => ({ companyUuid: company, shipmentId: (await first('list_shipments'))['id'] }),
  list_sales_channels: async () => ({}),
  list_assembly_orders: async () => ({ companyUuid: company }),
  get_assembly_order: async () => ({ companyUuid: company, orderId: (await first('list_assembly_orders'))['id'] }),
  list_adjustments: async () => ({ companyUuid: company }),
  get_adjustment: async () => ({ companyUuid: company, adjustmentId: (await first('list_adjustments'))['id'] }),
};

/**
 * Each write tool in a round trip: created, read back, changed, read back, and (where the API can)
 * deleted and gone. `read` is the tool that reads one back and its id argument.
 */
interface RoundTrip {
  create?: { tool: string; args: () => Promise<Json> };
  read: (id: number) => Promise<Json | undefined>;
  update?: { tool: string; idArgument: string; change: Json };
  /** Deletes by the update's id argument; the record then reads as gone. */
  delete?: { tool: string };
  /** The record to change when there is no create: the first of a listing. */
  existing?: () => Promise<Json>;
}

const dated = { date: '2025-03-01' };
/** Reads one record with a get_ tool; undefined when NeonPanel answers 404 (as the tool error says). */
const getter = (tool: string, idArgument: string) => async (id: number) => {
  const result = (await alice.callTool({ name: tool, arguments: { companyUuid: company, [idArgument]: id } })) as Json;
  if (!result['isError']) return result['structuredContent'] as Json;
  expect(toolText(result)).toMatch(
    new RegExp(`found nothing for companyUuid ${company}, ${idArgument} ${id} \\(HTTP 404\\)`),
  );
  return undefined;
};
/** Finds one record in a listing filtered by its id. */
const inList = (tool: string) => async (id: number) =>
  ((await call(tool, { companyUuid: company, id }))['data'] as Json[]).find((row) => row['id'] === id);
/** Finds one record in the first page of a listing that cannot filter by id. */
const inPage = (tool: string) => async (id: number) =>
  ((await call(tool, { companyUuid: company, per_page: 100 }))['data'] as Json[]).find((row) => row['id'] === id);

const ROUND_TRIPS: Record<string, RoundTrip> = {
  'inventory item': {
    create: {
      tool: 'create_inventory_item',
      args: async () => ({ companyUuid: company, country_code: 'US', fnsku: 'X00ET0001' }),
    },
    read: getter('get_inventory_item', 'inventoryId'),
    update: { tool: 'update_inventory_item', idArgument: 'inventoryId', change: { fnsku: 'X00ET0002' } },
    delete: { tool: 'delete_inventory_item' },
  },
  product: {
    existing: async () => first('list_products', await (READS['list_products'] as () => Promise<Json>)()),
    read: inList('list_products'),
    update: { tool: 'update_product', idArgument: 'productId', change: {} },
    delete: { tool: 'delete_product' },
  },
  'inventory order': {
    create: {
      tool: 'create_inventory_order',
      args: async () => ({
        companyUuid: company,
        ref_number: 'PO-ET-1',
        date_order_placed: '2025-03-01',
        details: [{ inventory_id: (await ids.item())['id'], quantity: 5, price: 2.5 }],
      }),
    },
    read: getter('get_inventory_order', 'orderId'),
    update: { tool: 'update_inventory_order', idArgument: 'orderId', change: { name: 'Spring restock' } },
  },
  bill: {
    create: { tool: 'create_bill', args: async () => ({ companyUuid: company, ref_number: 'B-ET-1', ...dated }) },
    read: getter('get_bill', 'billId'),
    update: { tool: 'update_bill', idArgument: 'billId', change: { name: 'Freight, March' } },
  },
  invoice: {
    create: {
      tool: 'create_invoice',
      args: async () => ({ companyUuid: company, ref_number: 'I-ET-1', transaction_date: '2025-03-01' }),
    },
    read: getter('get_invoice', 'invoiceId'),
    update: { tool: 'update_invoice', idArgument: 'invoiceId', change: { name: 'Wholesale order' } },
  },
  shipment: {
    create: {
      tool: 'create_shipment',
      args: async () => ({ companyUuid: company, ref_number: 'S-ET-1', date_shipment_sent: '2025-03-01' }),
    },
    read: getter('get_shipment', 'shipmentId'),
    update: { tool: 'update_shipment', idArgument: 'shipmentId', change: { tracking_number: 'TRACK-ET' } },
  },
  'assembly order': {
    create: {
      tool: 'create_assembly_order',
      args: async () => ({ companyUuid: company, ref_number: 'A-ET-1', date_order_assembled: '2025-03-01' }),
    },
    read: getter('get_assembly_order', 'orderId'),
    update: { tool: 'update_assembly_order', idArgument: 'orderId', change: { name: 'Gift bundles' } },
  },
  adjustment: {
    create: {
      tool: 'create_adjustment',
      args: async () => ({ companyUuid: company, ref_number: 'ADJ-ET-1', reason: 'count', ...dated }),
    },
    read: getter('get_adjustment', 'adjustmentId'),
    update: { tool: 'update_adjustment', idArgument: 'adjustmentId', change: { reason: 'recount' } },
  },
  'payment request': {
    existing: () => first('list_payment_requests'),
    read: inPage('list_payment_requests'),
    update: { tool: 'update_payment_request', idArgument: 'paymentId', change: { memo: 'paid by every-tool test' } },
  },
};

/** Writes outside the create/update/delete pattern, each with its own test below. */
const OTHER_WRITES = [
  'create_product',
  'update_forecasting_settings',
  'sync_listing',
  'create_documents',
  'create_documents_by_pdf',
];

describe('coverage', () => {
  it('has a case for every tool of the catalog, and the bridge lists exactly these tools', async () => {
    const cased = [
      ...Object.keys(READS),
      ...Object.values(ROUND_TRIPS).flatMap((trip) =>
        [trip.create?.tool, trip.update?.tool, trip.delete?.tool].filter((tool) => tool !== undefined),
      ),
      ...OTHER_WRITES,
      'search',
      'fetch',
    ];
    expect([...cased].sort()).toEqual([...CATALOG_TOOLS].sort());
    const listed = (await alice.listTools()).tools.map((tool) => tool.name);
    expect([...listed].sort()).toEqual([...CATALOG_TOOLS].sort());
  });
});

describe('every read tool returns what NeonPanel answers alice', () => {
  for (const name of Object.keys(READS)) {
    it(name, async () => {
      const args = await (READS[name] as () => Promise<Json>)();
      const operation = catalog.operations.find((op) => toolNameFor(op.operationId) === name);
      const operationId = operation?.operationId;
      const result = await call(name, args);
      // Products and listings take their filters in a GET body, as the document has it.
      const parameters = new Set(operation?.parameters.map((p) => p.name));
      const bodyFields = Object.fromEntries(Object.entries(args).filter(([key]) => !parameters.has(key)));
      const sent = stack.sandbox.requestLog
        .entries()
        .filter((e) => e.operationId === operationId)
        .at(-1);
      expect(sent?.user).toBe('alice');
      const direct = await request(`${stack.sandbox.url}${sent?.path}${sent?.query ? `?${sent.query}` : ''}`, {
        method: 'GET',
        headers: {
          Authorization: `Bearer ${aliceToken}`,
          Accept: 'application/json',
          ...(operation?.requestBody ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(operation?.requestBody ? { body: JSON.stringify(bodyFields) } : {}),
      });
      expect(direct.statusCode).toBeLessThan(300);
      const body = (await direct.body.json()) as unknown;
      expect(result, `${sent?.method} ${sent?.path}?${sent?.query}`).toEqual(
        typeof body === 'object' && body !== null && !Array.isArray(body) ? body : { result: body },
      );
      if (Array.isArray(result['data'])) expect(result['data'].length, `${name} has data for alice`).toBeGreaterThan(0);
    });
  }
});

describe('search and fetch reach documents', () => {
  it('finds a bill by its number and fetches it', async () => {
    const bill = await first('list_bills');
    const found = await call('search', { query: String(bill['ref_number']) });
    const hit = (found['results'] as Json[]).find((r) => r['id'] === `bill:${company}:${bill['id']}`);
    expect(hit, JSON.stringify(found)).toBeDefined();
    const fetched = await call('fetch', { id: hit?.['id'] });
    expect(fetched['text']).toContain(String(bill['ref_number']));
    expect(fetched['metadata']).toMatchObject({ type: 'bill', id: bill['id'] });
    expect(fetched['url']).toMatch(/^https?:\/\//);
  });

  it('finds a vendor by name and a product by SKU', async () => {
    const vendor = await first('list_vendors');
    const vendors = await call('search', { query: String(vendor['name']) });
    expect((vendors['results'] as Json[]).map((r) => r['id'])).toContain(`vendor:${company}:${vendor['id']}`);
    const product = await first('list_products', await (READS['list_products'] as () => Promise<Json>)());
    const products = await call('search', { query: String(product['sku']) });
    const id = `product:${company}:${product['id']}`;
    expect((products['results'] as Json[]).map((r) => r['id'])).toContain(id);
    expect((await call('fetch', { id }))['metadata']).toMatchObject({ type: 'product', sku: product['sku'] });
  });
});

describe('every write round-trips', () => {
  for (const [label, trip] of Object.entries(ROUND_TRIPS)) {
    it(label, async () => {
      let id: number;
      if (trip.create) {
        const created = await call(trip.create.tool, await trip.create.args());
        id = (created['id'] ?? created['data']?.['id']) as number;
        expect(id, `${trip.create.tool} answers the new id`).toEqual(expect.any(Number));
        expect(await trip.read(id), `${label} ${id} reads back`).toMatchObject({ id });
      } else {
        id = (await (trip.existing as () => Promise<Json>)())['id'] as number;
      }
      if (trip.update) {
        await call(trip.update.tool, { companyUuid: company, [trip.update.idArgument]: id, ...trip.update.change });
        expect(await trip.read(id)).toMatchObject({ id, ...trip.update.change });
      }
      if (trip.delete && trip.update) {
        await call(trip.delete.tool, { companyUuid: company, [trip.update.idArgument]: id });
        expect(await trip.read(id), `${label} ${id} is gone`).toBeUndefined();
      }
    });
  }

  it('update_forecasting_settings changes what get_forecasting_settings reads', async () => {
    await call('update_forecasting_settings', { companyUuid: company, default_lead_time_days: 41 });
    expect(JSON.stringify(await call('get_forecasting_settings', { companyUuid: company }))).toContain(
      '"default_lead_time_days":41',
    );
  });

  it('create_product: the 1.2 document gives it no body, so NeonPanel’s 422 names the fields it wants', async () => {
    const result = (await alice.callTool({ name: 'create_product', arguments: { companyUuid: company } })) as Json;
    expect(result['isError']).toBe(true);
    expect(toolText(result)).toMatch(/NeonPanel rejected these arguments \(HTTP 422\): .*sku/);
  });

  it('sync_listing syncs a listing of alice’s', async () => {
    const listing = await first('list_listings', await (READS['list_listings'] as () => Promise<Json>)());
    await call('sync_listing', { companyUuid: company, listingId: listing['id'] });
    expect(
      stack.sandbox.requestLog
        .entries()
        .filter((e) => e.operationId === 'syncListing')
        .at(-1)?.status,
    ).toBeLessThan(300);
  });

  it('create_documents and create_documents_by_pdf start imports check_import_processing follows', async () => {
    const requestId = await ids.importRequest();
    expect(requestId).toMatch(/\S/);
    const byPdf = await call('create_documents_by_pdf', {
      companyUuid: company,
      type: 'bill',
      file: { name: 'bill.pdf', link: 'https://files.example.com/bill.pdf' },
    });
    const status = await call('check_import_processing', {
      companyUuid: company,
      type: 'bill',
      requestId: byPdf['request_id'],
    });
    expect(status).toMatchObject({
      request_id: byPdf['request_id'],
      status: expect.stringMatching(/^(queued|processing|done)$/),
    });
  });
});

describe('bob and alice’s company', () => {
  it('every tool that takes a company refuses bob alice’s, with the documented tool error', async () => {
    const tools = (await bob.listTools()).tools.filter((tool) => COMPANY_TOOLS.has(tool.name));
    expect(tools.length).toBe(COMPANY_TOOLS.size);
    stack.sandbox.requestLog.clear();
    for (const tool of tools) {
      const build = READS[tool.name] ?? WRITE_ARGUMENTS[tool.name];
      const args = { ...(build ? await build() : {}), companyUuid: company };
      const result = (await bob.callTool({ name: tool.name, arguments: args })) as Json;
      expect(result['isError'], `${tool.name} refuses bob`).toBe(true);
      expect(toolText(result), tool.name).toMatch(
        new RegExp(
          `no access to company ${company} in NeonPanel \\(HTTP 403\\)|found nothing for companyUuid ${company}`,
        ),
      );
    }
    const refused = stack.sandbox.requestLog.entries().filter((e) => e.user === 'bob' && e.path.includes(company));
    expect(refused.length).toBeGreaterThanOrEqual(tools.length);
    expect(refused.filter((e) => e.status < 400)).toEqual([]);
  });
});

/** Arguments each write would be accepted with, so the company is the only thing wrong for bob. */
const WRITE_ARGUMENTS: Record<string, () => Promise<Json>> = {
  create_product: async () => ({}),
  update_forecasting_settings: async () => ({ default_lead_time_days: 41 }),
  sync_listing: async () => ({ listingId: 1 }),
  create_documents: async () => ({ type: 'bill', data: { vendor: 'x' } }),
  create_documents_by_pdf: async () => ({
    type: 'bill',
    file: { name: 'b.pdf', link: 'https://files.example.com/b.pdf' },
  }),
  ...Object.fromEntries(
    Object.values(ROUND_TRIPS).flatMap((trip) => {
      const id = trip.update ? { [trip.update.idArgument]: 1 } : {};
      return [
        ...(trip.create ? [[trip.create.tool, trip.create.args] as const] : []),
        ...(trip.update ? [[trip.update.tool, async () => ({ ...id, ...trip.update?.change })] as const] : []),
        ...(trip.delete ? [[trip.delete.tool, async () => id] as const] : []),
      ];
    }),
  ),
};
