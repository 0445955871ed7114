import type { CallToolResult } from '@modelcontextprotocol/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';
import { type Config, loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics, type Metrics } from '../../../src/telemetry/metrics.js';
import { TOOLS_LIST_BUDGET_BYTES, toolsListBytes } from '../../../src/tools/list-size.js';
import {
  createToolset,
  loadCatalog,
  TOOL_NAME_PATTERN,
  toolNameFor,
  type ToolContext,
  type Toolset,
} from '../../../src/tools/index.js';
import { testCaller } from '../../helpers/caller.js';
import { toolText } from '../../helpers/tool-result.js';

let sandbox: Sandbox;
let toolset: Toolset;
let metrics: Metrics;
let alice: ToolContext;
let bob: ToolContext;
let config: Config;

/** Alice's first company, warehouse and item, read from the sandbox's own data. */
let companyUuid: string;
let otherCompanyUuid: string;
let warehouseUuid: string;
let item: { id: number; sku: string; name: string };

/** The structured result as a plain record (the SDK types it loosely). */
// biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary JSON
function sc(result: CallToolResult | undefined): Record<string, any> {
  return (result?.structuredContent ?? {}) as Record<string, unknown>;
}

function apiRequests(operationId: string) {
  return sandbox.requestLog.entries().filter((e) => e.operationId === operationId);
}

async function call(name: string, args: Record<string, unknown>, ctx: ToolContext = alice): Promise<CallToolResult> {
  const tool = toolset.get(name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool.call(args, ctx);
}

beforeAll(async () => {
  sandbox = await startSandbox({ importDelayMs: 200 });
  config = loadConfig({
    NEONPANEL_API_URL: sandbox.url,
    NEONPANEL_ISSUER: sandbox.issuer,
    NEONPANEL_TIMEOUT_MS: '1500',
    // The write audit has tests of its own (writes.test.ts); here it would only fill the output.
    AUDIT_LOG: '/dev/null',
  });
  metrics = createMetrics();
  toolset = await createToolset({ config, logger: silentLogger(), metrics });
  const logger = silentLogger();
  const token = (sub: string) => sandbox.issueToken({ sub });
  alice = { caller: testCaller({ token: await token('alice'), sub: 'alice', requestId: 'test-alice' }), logger };
  bob = { caller: testCaller({ token: await token('bob'), sub: 'bob', requestId: 'test-bob' }), logger };
  const aliceCompanies = sandbox.users['alice']?.companyUuids ?? [];
  companyUuid = aliceCompanies[0] as string;
  otherCompanyUuid = aliceCompanies[1] as string;
  const warehouse = sandbox.data.warehouses.find((w) => w.companyUuid === companyUuid && w.itemIds.length > 0);
  warehouseUuid = warehouse?.uuid as string;
  const record = sandbox.data.inventory.find((i) => i.id === warehouse?.itemIds[0]);
  item = { id: record?.id as number, sku: record?.sku as string, name: record?.name as string };
});

afterAll(async () => {
  await toolset?.close();
  await sandbox?.close();
});

afterEach(() => sandbox.faults.clear());

describe('the tool list', () => {
  it('has one tool per operation of the catalog plus search and fetch, with client-safe names, schemas and annotations', () => {
    const { tools } = toolset.list();
    const { operations } = loadCatalog();
    expect(tools.map((t) => t.name)).toEqual([
      ...operations.map((op) => toolNameFor(op.operationId)),
      'search',
      'fetch',
    ]);
    const walk = (schema: Record<string, unknown>, where: string) => {
      expect(JSON.stringify(schema), where).not.toMatch(/"\$ref"|"\$defs"|"definitions"/);
      for (const [name, prop] of Object.entries(
        (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        expect(typeof prop['type'], `${where}.${name} has one type`).toBe('string');
        walk(prop, `${where}.${name}`);
      }
    };
    for (const tool of tools) {
      expect(tool.name).toMatch(TOOL_NAME_PATTERN);
      for (const schema of [tool.inputSchema, tool.outputSchema ?? tool.inputSchema]) {
        expect(schema.type, tool.name).toBe('object');
        for (const combinator of ['anyOf', 'oneOf', 'allOf']) expect(schema, tool.name).not.toHaveProperty(combinator);
      }
      walk(tool.inputSchema, tool.name);
      expect(Object.keys(tool.annotations).sort()).toEqual(
        ['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint', 'title'].sort(),
      );
      expect(tool.annotations.title).toBe(tool.title);
    }
    const writes = tools.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name);
    expect(writes).toEqual(
      operations.filter((op) => op.method.toUpperCase() !== 'GET').map((op) => toolNameFor(op.operationId)),
    );
    expect(toolset.get('revenue_and_cogs_summary')?.inputSchema.properties['grouping']).toMatchObject({
      type: 'array',
      items: { type: 'string', enum: ['company', 'country', 'invoice'] },
    });
  });

  it('puts every operation tool in one toolset, and lists each toolset within the budget', () => {
    const full = toolset.list();
    const grouped = toolset.groups.flatMap((group) => group.tools);
    expect([...grouped].sort()).toEqual(
      full.tools
        .map((t) => t.name)
        .filter((name) => name !== 'search' && name !== 'fetch')
        .sort(),
    );
    const sizes = toolset.groups.map((group) => {
      const list = toolset.list({ toolsets: [group.name] });
      expect(list.tools.map((t) => t.name)).toEqual(expect.arrayContaining([...group.tools, 'list_companies']));
      return `${group.name} ${toolsListBytes(list.tools)}`;
    });
    const readOnly = toolset.list({ readOnly: true });
    expect(readOnly.tools.map((t) => t.name)).toContain('list_companies');
    expect(readOnly.tools.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name)).toEqual([]);
    console.log(
      `tools/list bytes: all ${toolsListBytes(full.tools)}, read-only ${toolsListBytes(readOnly.tools)}; ${sizes.join(', ')}`,
    );
    expect(toolsListBytes(full.tools)).toBeLessThanOrEqual(TOOLS_LIST_BUDGET_BYTES);
  });
});

describe('every tool as alice', () => {
  it('lists her companies, and only hers', async () => {
    const result = await call('list_companies', {});
    expect(result.isError).toBeFalsy();
    const names = (sc(result)['data'] as Array<{ uuid: string }>).map((c) => c.uuid);
    expect(names.sort()).toEqual([...(sandbox.users['alice']?.companyUuids ?? [])].sort());
    expect(JSON.parse(result.content[0]?.type === 'text' ? result.content[0].text : '')).toEqual(
      result.structuredContent,
    );
  });

  it('lists reports', async () => {
    const result = await call('list_reports', {});
    expect(result.isError).toBeFalsy();
    expect((sc(result)['data'] as unknown[]).length).toBe(sc(result)['count']);
  });

  it('sends company_uuids and grouping as repeated query keys', async () => {
    const result = await call('revenue_and_cogs_summary', {
      company_uuids: [companyUuid, otherCompanyUuid],
      grouping: ['company', 'country'],
      periodicity: 'yearly',
      start_date: '2024-01-01',
      end_date: '2025-12-31',
    });
    expect(result.isError, toolText(result)).toBeFalsy();
    const rows = sc(result)['data'] as Array<{ company?: { uuid: string }; start_date: string }>;
    expect(new Set(rows.map((r) => r.company?.uuid))).toEqual(new Set([companyUuid, otherCompanyUuid]));
    expect(new Set(rows.map((r) => r.start_date))).toEqual(new Set(['2024-01-01', '2025-01-01']));
    const query = new URLSearchParams(apiRequests('revenueAndCogsSummary').at(-1)?.query);
    expect(query.getAll('company_uuids')).toEqual([companyUuid, otherCompanyUuid]);
    expect(query.getAll('grouping')).toEqual(['company', 'country']);
  });

  it('lists warehouses and their balances', async () => {
    const warehouses = await call('list_warehouses', { companyUuid });
    const expected = sandbox.data.warehouses.filter((w) => w.companyUuid === companyUuid).map((w) => w.uuid);
    expect((sc(warehouses)['data'] as Array<{ uuid: string }>).map((w) => w.uuid)).toEqual(expected);
    const balances = await call('warehouse_balances', { companyUuid, warehouseUuid, per_page: 10 });
    expect(balances.isError, toolText(balances)).toBeFalsy();
    const first = (sc(balances)['data'] as Array<{ inventory: { id: number } }>)[0];
    expect(first?.inventory.id).toBe(item.id);
  });

  it('lists and filters inventory items, and reads an item’s balances', async () => {
    const listed = await call('list_inventory_items', { companyUuid, sku: item.sku });
    expect((sc(listed)['data'] as Array<{ id: number }>).map((i) => i.id)).toEqual([item.id]);
    const details = await call('inventory_balances', { companyUuid, inventoryId: item.id });
    expect(details.isError, toolText(details)).toBeFalsy();
    expect(sc(details)['inventory']).toMatchObject({ id: item.id, sku: item.sku });
    const balances = (sc(details)['balances_data'] as { balances_list: unknown[] }).balances_list;
    expect(balances.length).toBeGreaterThan(0);
  });

  it('reads landed costs and COGS of an item', async () => {
    const landed = await call('list_inventory_landed_costs', {
      companyUuid,
      inventoryId: item.id,
      warehouse_uuid: warehouseUuid,
      start_date: '2024-01-01',
    });
    expect(landed.isError, toolText(landed)).toBeFalsy();
    expect(sc(landed)['inventory']).toMatchObject({ id: item.id });
    const cogs = await call('list_inventory_cogs', { companyUuid, inventoryId: item.id, start_date: '2024-01-01' });
    expect(cogs.isError, toolText(cogs)).toBeFalsy();
    expect(sc(cogs)['company']).toMatchObject({ uuid: companyUuid });
  });

  it('imports a bill as JSON, by PDF content and by PDF link, and reports the import status', async () => {
    const instructions = await call('get_import_instructions', { type: 'bill' });
    expect(instructions.isError, toolText(instructions)).toBeFalsy();
    expect(instructions.structuredContent).toHaveProperty('attributes');

    const json = await call('create_documents', {
      companyUuid,
      type: 'bill',
      data: {
        vendor: 'Acme Supply',
        ref_number: 'B-1',
        date: '2025-01-02',
        items: [{ sku: item.sku, quantity: 2, unit_price: 3 }],
      },
    });
    expect(json.isError, toolText(json)).toBeFalsy();
    expect(sc(json)['request_id']).toMatch(/^[0-9a-f-]{36}$/);

    const pdf = await call('create_documents_by_pdf', {
      companyUuid,
      type: 'bill',
      filename: 'bill-7.pdf',
      content_base64: Buffer.from('%PDF-1.4\n%test bill\n').toString('base64'),
    });
    expect(pdf.isError, toolText(pdf)).toBeFalsy();
    expect(toolText(pdf)).toMatch(/Wait \d+ seconds/);
    const pdfRequest = sandbox.requestLog.entries().at(-1);
    expect(new URLSearchParams(pdfRequest?.query).get('filename')).toBe('bill-7.pdf');

    const byLink = await call('create_documents_by_pdf', {
      companyUuid,
      type: 'bill',
      file: { name: 'bill-8.pdf', link: 'https://files.example.com/bill-8.pdf' },
    });
    expect(byLink.isError, toolText(byLink)).toBeFalsy();

    const requestId = sc(pdf)['request_id'] as string;
    let status: CallToolResult | undefined;
    for (let i = 0; i < 20; i++) {
      status = await call('check_import_processing', { companyUuid, type: 'bill', requestId });
      if (sc(status)['status'] === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status?.structuredContent).toMatchObject({ request_id: requestId, status: 'done' });
    expect(sandbox.requestLog.duplicateWrites()).toEqual([]);
  });

  it('says what create_documents_by_pdf needs when the content is missing, before calling NeonPanel', async () => {
    const before = sandbox.requestLog.total;
    const none = await call('create_documents_by_pdf', { companyUuid, type: 'bill' });
    expect(none.isError).toBe(true);
    expect(toolText(none)).toMatch(/content_base64/);
    expect(toolText(none)).toMatch(/file/);
    const noName = await call('create_documents_by_pdf', { companyUuid, type: 'bill', content_base64: 'JVBERi0=' });
    expect(toolText(noName)).toMatch(/"filename" is required when "content_base64" is given/);
    expect(sandbox.requestLog.total).toBe(before);
  });
});

describe('search and fetch', () => {
  it('finds an item by SKU and fetches it', async () => {
    const found = await call('search', { query: item.sku });
    expect(found.content).toHaveLength(1);
    const { results } = JSON.parse(toolText(found)) as { results: Array<{ id: string; title: string; url: string }> };
    expect(found.structuredContent).toEqual({ results });
    const hit = results.find((r) => r.id === `inventory:${companyUuid}:${item.id}`);
    expect(hit?.title).toContain(item.sku);
    expect(hit?.url.startsWith(`${new URL(sandbox.url).origin}/`)).toBe(true);

    const fetched = await call('fetch', { id: hit?.id });
    expect(fetched.content).toHaveLength(1);
    const record = JSON.parse(toolText(fetched));
    expect(record).toMatchObject({ id: hit?.id, url: hit?.url });
    expect(record.text).toContain(item.sku);
    expect(record.metadata).toMatchObject({ type: 'inventory', id: item.id });
  });

  it('finds companies and warehouses by name', async () => {
    const company = sandbox.data.companyByUuid.get(companyUuid);
    const found = JSON.parse(toolText(await call('search', { query: company?.name.split(' ')[0] ?? '' })));
    expect(found.results[0]).toMatchObject({ id: `company:${companyUuid}` });
    const fetched = JSON.parse(toolText(await call('fetch', { id: `warehouse:${companyUuid}:${warehouseUuid}` })));
    expect(fetched.text).toContain(item.name);
  });

  it('keeps to the caller: bob finds nothing of alice and cannot fetch her records', async () => {
    const found = JSON.parse(toolText(await call('search', { query: item.sku }, bob)));
    expect(found.results).toEqual([]);
    const fetched = await call('fetch', { id: `inventory:${companyUuid}:${item.id}` }, bob);
    expect(fetched.isError).toBe(true);
    expect(toolText(fetched)).toContain(companyUuid);
  });
});

describe('errors a model can act on', () => {
  it("names alice's company when bob asks for it", async () => {
    const result = await call('list_warehouses', { companyUuid }, bob);
    expect(result.isError).toBe(true);
    expect(toolText(result)).toContain(`no access to company ${companyUuid}`);
  });

  it('names a missing or mistyped argument and sends nothing', async () => {
    const before = sandbox.requestLog.total;
    const missing = await call('list_inventory_cogs', { companyUuid, inventoryId: item.id });
    expect(missing.isError).toBe(true);
    expect(toolText(missing)).toContain('missing required argument "start_date"');
    const mistyped = await call('list_inventory_items', { companyUuid, per_page: 'ten' });
    expect(toolText(mistyped)).toContain('"per_page" must be integer');
    const outOfRange = await call('list_inventory_items', { companyUuid, per_page: 500 });
    expect(toolText(outOfRange)).toContain('"per_page" must be <= 60');
    const badEnum = await call('revenue_and_cogs_summary', { start_date: '2024-01-01', periodicity: 'weekly' });
    expect(toolText(badEnum)).toContain('"periodicity" must be one of');
    const unknown = await call('list_companies', { company: 'x' });
    expect(toolText(unknown)).toContain('unknown argument "company"');
    expect(sandbox.requestLog.total).toBe(before);
  });

  it('passes NeonPanel 422 field errors on', async () => {
    const result = await call('revenue_and_cogs_summary', { start_date: '2025-01-01', end_date: '2024-01-01' });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/HTTP 422\): end_date:/);
  });

  it('says which id was not found', async () => {
    const result = await call('inventory_balances', { companyUuid, inventoryId: 999_999 });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toContain('inventoryId 999999');
  });

  it('tells the model to reconnect on 401', async () => {
    const expired = {
      ...alice,
      caller: { ...alice.caller, token: await sandbox.issueToken({ sub: 'alice', expiresIn: -60 }) },
    };
    const result = await call('list_companies', {}, expired);
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/session has expired.*reconnect/);
    expect(result._meta?.['mcp/www_authenticate']).toBeDefined();
  });

  it('never lets a hostile id change the upstream path or query', async () => {
    for (const hostile of ['../..', '%2e%2e', '?x=1', 'a\r\nX-Injected: 1', '#frag', 'a/b']) {
      const result = await call('list_warehouses', { companyUuid: hostile });
      expect(result.isError).toBe(true);
      const entry = apiRequests('listWarehouses').at(-1);
      expect(entry?.path).toBe(`/api/v1/companies/${encodeURIComponent(hostile)}/warehouses`);
      expect(entry?.query).toBe('');
    }
  });

  it('refuses ".", ".." and empty ids before any call: no encoding keeps them one path segment', async () => {
    for (const dots of ['.', '..', '']) {
      const before = apiRequests('listWarehouses').length;
      const result = await call('list_warehouses', { companyUuid: dots });
      expect(result.isError).toBe(true);
      expect(toolText(result)).toContain(`"companyUuid" must be an id, got ${JSON.stringify(dots)}`);
      expect(apiRequests('listWarehouses').length).toBe(before);
    }
  });
});

describe('upstream faults', () => {
  it('reports a 500 as temporary, with the request id', async () => {
    sandbox.faults.set({ route: 'listCompanies', kind: 'error', status: 500 });
    const result = await call('list_companies', {});
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/temporary server error \(HTTP 500\).*request id [0-9a-f-]{36}/);
    expect(apiRequests('listCompanies').at(-1)?.status).toBe(500);
  });

  it('retries reads on 503 and succeeds when NeonPanel recovers', async () => {
    sandbox.requestLog.clear();
    sandbox.faults.set({ route: 'listCompanies', kind: 'error', status: 503, times: 2 });
    const result = await call('list_companies', {});
    expect(result.isError, toolText(result)).toBeFalsy();
    expect(apiRequests('listCompanies').map((e) => e.status)).toEqual([503, 503, 200]);
  });

  it('waits out a short 429 and reports a long one with retry_after_seconds', async () => {
    sandbox.requestLog.clear();
    sandbox.faults.set({ route: 'listCompanies', kind: 'rate_limit', retryAfterSeconds: 0, times: 1 });
    const short = await call('list_companies', {});
    expect(short.isError, toolText(short)).toBeFalsy();
    expect(apiRequests('listCompanies').map((e) => e.status)).toEqual([429, 200]);

    sandbox.faults.set({ route: 'listCompanies', kind: 'rate_limit', retryAfterSeconds: 120 });
    const long = await call('list_companies', {});
    expect(long.isError).toBe(true);
    expect(toolText(long)).toContain('retry_after_seconds: 120');
    expect(long._meta?.['neonpanel/error']).toMatchObject({ retry_after_seconds: 120 });
  });

  it('retries a read after a reset connection, never a write', async () => {
    sandbox.requestLog.clear();
    sandbox.faults.set({ route: 'listCompanies', kind: 'reset', times: 1 });
    const read = await call('list_companies', {});
    expect(read.isError, toolText(read)).toBeFalsy();
    expect(apiRequests('listCompanies')).toHaveLength(2);

    sandbox.faults.set({ route: 'createDocuments', kind: 'reset' });
    const write = await call('create_documents', { companyUuid, type: 'bill', data: { vendor: 'x' } });
    expect(write.isError).toBe(true);
    expect(toolText(write)).toMatch(/connection to NeonPanel failed.*may or may not have reached NeonPanel/);
    expect(apiRequests('createDocuments')).toHaveLength(1);
  });

  it('gives up on a hung call at the timeout, with the request id', async () => {
    sandbox.faults.set({ route: 'listReports', kind: 'hang' });
    const result = await call('list_reports', {});
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/did not answer within 2 s.*request id/);
  });

  it('counts tool calls and upstream latency', async () => {
    const calls = await metrics.registry.getSingleMetricAsString('neonpanel_mcp_tool_calls_total');
    expect(calls).toMatch(/tool="list_companies",outcome="ok"/);
    expect(calls).toMatch(/tool="list_companies",outcome="rate_limited"/);
    const latency = await metrics.registry.getSingleMetricAsString('neonpanel_mcp_upstream_duration_seconds');
    expect(latency).toMatch(/operation="listCompanies",status="503"/);
  });
});

describe('limits', () => {
  it('refuses calls over the per-user concurrency cap with a clear error', async () => {
    const capped = await createToolset({
      config: { ...config, maxConcurrentUpstreamPerUser: 1 },
      logger: silentLogger(),
      metrics: createMetrics(),
    });
    try {
      sandbox.faults.set({ route: 'listReports', kind: 'latency', latencyMs: 300 });
      const tool = capped.get('list_reports');
      const [first, second] = await Promise.all([tool?.call({}, alice), tool?.call({}, alice)]);
      expect(first?.isError, first && toolText(first)).toBeFalsy();
      expect(second?.isError).toBe(true);
      expect(second && toolText(second)).toMatch(/Too many NeonPanel calls.*Nothing was sent/);
      const forBob = await tool?.call({}, bob);
      expect(forBob?.isError).toBeFalsy();
    } finally {
      await capped.close();
    }
  });

  it('returns the largest page that fits the response budget and says how to get the next', async () => {
    const small = await createToolset({
      config: { ...config, responseBudgetBytes: 3000 },
      logger: silentLogger(),
      metrics: createMetrics(),
    });
    try {
      const result = await small.get('list_inventory_items')?.call({ companyUuid, per_page: 60 }, alice);
      expect(result?.isError).toBeFalsy();
      const first = result?.content[0];
      const json = first?.type === 'text' ? first.text : '';
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(3000);
      const page = JSON.parse(json);
      expect(page.per_page).toBe(page.data.length);
      expect(toolText(result as CallToolResult)).toMatch(new RegExp(`page=2 and per_page=${page.per_page}`));
      const next = await small
        .get('list_inventory_items')
        ?.call({ companyUuid, page: 2, per_page: page.per_page }, alice);
      const all = sandbox.data.inventory.filter((i) => i.companyUuid === companyUuid).map((i) => i.id);
      const nextIds = (sc(next)['data'] as Array<{ id: number }>).map((i) => i.id);
      expect(nextIds[0]).toBe(all[page.per_page]);
    } finally {
      await small.close();
    }
  });
});
