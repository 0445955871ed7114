/**
 * The sandbox API (NeonPanel API 1.2) over real HTTP with a token from the real OAuth flow: analytics,
 * inventory and imports validated against the document, plus access rules, validation errors and the
 * request log. (documents.test.ts covers the document collections and permissions; contract.test.ts
 * calls every operation once for its shape.)
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InventoryRecord } from '../../../sandbox/data/model.js';
import type { Sandbox } from '../../../sandbox/index.js';
import { type Call, type CallInit, useSandboxApi } from './api-calls.js';

const api = useSandboxApi({ importDelayMs: 400 });
let sandbox: Sandbox;
let token: string;
let companyUuid: string;
let bobCompanyUuid: string;
let call: (path: string, init?: CallInit) => Promise<Call>;
let expectValid: (operationId: string, path: string, status?: number, init?: CallInit) => Promise<Call>;
beforeAll(() => {
  ({ sandbox, token, companyUuid, bobCompanyUuid, call, expectValid } = api);
});

function firstItem(): InventoryRecord {
  const item = sandbox.data.inventory.find((candidate) => candidate.companyUuid === companyUuid);
  if (!item) throw new Error('seed has no items');
  return item;
}

function warehouseOf(itemId: number): string {
  const warehouse = sandbox.data.warehouses.find((candidate) => candidate.itemIds.includes(itemId));
  return warehouse?.uuid ?? '';
}

describe('analytics, inventory and imports, valid against the document', () => {
  it('listCompanies: alice sees her two companies, each with a numeric id beside the uuid', async () => {
    const { body } = await expectValid('listCompanies', '/api/v1/companies');
    const companies = body.data as Array<{ id: number; uuid: string; name: string }>;
    expect(companies.map((company) => company.uuid)).toEqual(sandbox.users.alice?.companyUuids);
    expect(companies.map((company) => [company.id, company.name])).toEqual([
      [106, 'Acme Outdoor Inc.'],
      [296, 'Rheinland Haus GmbH'],
    ]);
  });

  it('listReports', async () => {
    const { body } = await expectValid('listReports', '/api/v1/reports');
    expect(body.count).toBe((body.data as unknown[]).length);
  });

  it('revenueAndCogsSummary: every periodicity and grouping gives a different answer', async () => {
    const answers = new Set<string>();
    for (const periodicity of ['total', 'yearly', 'quarterly', 'monthly']) {
      for (const grouping of [['company'], ['country'], ['invoice'], ['company', 'country']]) {
        const query = new URLSearchParams({ start_date: '2024-01-01', end_date: '2025-12-31', periodicity });
        for (const group of grouping) query.append('grouping', group);
        const { body } = await expectValid('revenueAndCogsSummary', `/api/v1/revenue-and-cogs?${query}`);
        expect((body.data as unknown[]).length).toBeGreaterThan(0);
        answers.add(JSON.stringify(body.data));
      }
    }
    expect(answers.size).toBe(16);
  });

  it('revenueAndCogsSummary: company_uuids as repeated keys filters by company', async () => {
    const [first, second] = sandbox.users.alice?.companyUuids ?? [];
    const both = await expectValid(
      'revenueAndCogsSummary',
      `/api/v1/revenue-and-cogs?start_date=2024-01-01&end_date=2024-12-31&company_uuids=${first}&company_uuids=${second}`,
    );
    expect((both.body.data as unknown[]).length).toBe(2);
    const one = await expectValid(
      'revenueAndCogsSummary',
      `/api/v1/revenue-and-cogs?start_date=2024-01-01&end_date=2024-12-31&company_uuids=${first}`,
    );
    expect(one.body.data).toEqual([(both.body.data as unknown[])[0]]);
    const brackets = await call(`/api/v1/revenue-and-cogs?start_date=2024-01-01&company_uuids[]=${first}`);
    expect(brackets.status).toBe(422);
    expect(brackets.body.errors).toHaveProperty('company_uuids');
  });

  it('listWarehouses with search', async () => {
    const { body } = await expectValid('listWarehouses', `/api/v1/companies/${companyUuid}/warehouses?search=fba`);
    expect((body.data as Array<{ name: string }>).every((warehouse) => warehouse.name.includes('FBA'))).toBe(true);
  });

  it('warehouseBalances with a past balances_date', async () => {
    const warehouse = sandbox.data.warehouses.find((candidate) => candidate.companyUuid === companyUuid);
    const { body } = await expectValid(
      'warehouseBalances',
      `/api/v1/companies/${companyUuid}/warehouses/${warehouse?.uuid}/balances?balances_date=2024-06-30&per_page=60`,
    );
    expect(body.balances_date).toBe('2024-06-30');
    expect((body.data as unknown[]).length).toBe(60);
  });

  it('listInventoryItems: real pagination, filters and search by SKU', async () => {
    const page1 = await expectValid(
      'listInventoryItems',
      `/api/v1/companies/${companyUuid}/inventory-items?per_page=10`,
    );
    expect(page1.body.last_page).toBeGreaterThan(20);
    const last = page1.body.last_page as number;
    const page2 = await expectValid(
      'listInventoryItems',
      `/api/v1/companies/${companyUuid}/inventory-items?per_page=10&page=2`,
    );
    expect(page2.body.current_page).toBe(2);
    expect(page2.body.data).not.toEqual(page1.body.data);
    const lastPage = await expectValid(
      'listInventoryItems',
      `/api/v1/companies/${companyUuid}/inventory-items?per_page=10&page=${last}`,
    );
    expect((lastPage.body.data as unknown[]).length).toBeGreaterThan(0);
    const item = firstItem();
    const found = await expectValid(
      'listInventoryItems',
      `/api/v1/companies/${companyUuid}/inventory-items?search=${encodeURIComponent(item.sku)}`,
    );
    expect((found.body.data as Array<{ id: number }>)[0]?.id).toBe(item.id);
    expect(found.body.filters).toEqual({ search: item.sku });
  });

  it('inventoryBalances replaces /details (gone in 1.2)', async () => {
    const item = firstItem();
    const { body } = await expectValid(
      'inventoryBalances',
      `/api/v1/companies/${companyUuid}/inventory-items/${item.id}/balances?balances_date=2025-06-30`,
    );
    expect((body.inventory as { id: number }).id).toBe(item.id);
    const balances = (body.balances_data as { balances_list: Array<{ warehouse: { uuid: string } }> }).balances_list;
    expect(balances.map((entry) => entry.warehouse.uuid)).toContain(warehouseOf(item.id));
    const gone = await call(`/api/v1/companies/${companyUuid}/inventory-items/${item.id}/details`);
    expect(gone.status).toBe(404);
  });

  it('listInventoryLandedCosts', async () => {
    const item = firstItem();
    const { body } = await expectValid(
      'listInventoryLandedCosts',
      `/api/v1/companies/${companyUuid}/inventory-items/${item.id}/landed-cost?warehouse_uuid=${warehouseOf(item.id)}&start_date=2024-01-01&end_date=2025-12-31`,
    );
    expect((body.data as unknown[]).length).toBeGreaterThan(0);
  });

  it('listInventoryCogs', async () => {
    const item = sandbox.data.invoices.find((invoice) => invoice.companyUuid === companyUuid)?.lines[0];
    const { body } = await expectValid(
      'listInventoryCogs',
      `/api/v1/companies/${companyUuid}/inventory-items/${item?.itemId}/cogs?start_date=2024-01-01&end_date=2025-12-31`,
    );
    expect((body.details as unknown[]).length).toBeGreaterThan(0);
    expect(body.amount).toBeGreaterThan(0);
  });

  it('getImportInstructions as JSON and as text', async () => {
    await expectValid('getImportInstructions', '/api/v1/import/bill/instructions');
    const text = await call('/api/v1/import/bill/instructions', { headers: { accept: 'text/plain' } });
    expect(text.headers.get('content-type')).toContain('text/plain');
    const unknown = await expectValid('getImportInstructions', '/api/v1/import/invoice/instructions', 404);
    expect(unknown.body.message).toContain('bill');
  });

  it('createDocuments, then checkImportProcessing moves from pending (202) to done (200)', async () => {
    const created = await expectValid('createDocuments', `/api/v1/companies/${companyUuid}/create/bill`, 200, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { vendor: 'Acme Supplies', ref_number: 'B-100', date: '2025-01-15' } }),
    });
    const statusPath = `/api/v1/companies/${companyUuid}/import/bill/status/${created.body.request_id}`;
    const pending = await expectValid('checkImportProcessing', statusPath, 202);
    expect(Number(pending.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await sleep(450);
    const done = await expectValid('checkImportProcessing', statusPath, 200);
    expect(done.body).toMatchObject({ status: 'done', documents: [{ type: 'Bill', ref_number: 'B-100' }] });
  });

  it('createDocumentsByPdf: raw PDF, multipart and JSON link; 415 otherwise', async () => {
    const path = `/api/v1/companies/${companyUuid}/import/bill/pdf`;
    const pdf = Buffer.from('%PDF-1.4\n%minimal\n');
    const raw = await expectValid('createDocumentsByPdf', `${path}?filename=bill.pdf`, 202, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: pdf,
    });
    expect(raw.headers.get('retry-after')).toBeTruthy();
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'scan.pdf');
    await expectValid('createDocumentsByPdf', path, 202, { method: 'POST', body: form });
    await expectValid('createDocumentsByPdf', path, 202, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file: { name: 'bill.pdf', link: 'https://files.example.com/bill.pdf' } }),
    });
    await expectValid('createDocumentsByPdf', path, 415, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    const missingName = await call(path, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: pdf });
    expect(missingName.status).toBe(422);
    expect(missingName.body.errors).toHaveProperty('filename');
    const notPdf = await expectValid('createDocumentsByPdf', `${path}?filename=x.pdf`, 400, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: 'not a pdf',
    });
    expect(notPdf.body.message).toContain('PDF');
  });
});

describe('access and errors', () => {
  it('bob gets 403 naming the company on each of alice’s companies', async () => {
    for (const uuid of sandbox.users.alice?.companyUuids ?? []) {
      const result = await call(`/api/v1/companies/${uuid}/warehouses`, { as: 'bob' });
      expect(result.status).toBe(403);
      expect(result.body.message).toContain(uuid);
    }
    const revenue = await call(`/api/v1/revenue-and-cogs?start_date=2024-01-01&company_uuids=${companyUuid}`, {
      as: 'bob',
    });
    expect(revenue.status).toBe(403);
    const own = await call(`/api/v1/companies/${bobCompanyUuid}/warehouses`, { as: 'bob' });
    expect(own.status).toBe(200);
  });

  it('a bad start_date is 422 naming start_date', async () => {
    const result = await call('/api/v1/revenue-and-cogs?start_date=2024-13-45');
    expect(result.status).toBe(422);
    expect(Object.keys(result.body.errors as object)).toEqual(['start_date']);
    expect(result.body.message).toContain('start_date');
    const missing = await call(`/api/v1/companies/${companyUuid}/inventory-items/${firstItem().id}/cogs`);
    expect(missing.body.errors).toHaveProperty('start_date');
    const reversed = await call('/api/v1/revenue-and-cogs?start_date=2025-01-01&end_date=2024-01-01');
    expect(reversed.body.errors).toHaveProperty('end_date');
  });

  it('per_page outside the document bounds and bad enums are 422 naming the field', async () => {
    for (const perPage of ['9', '61', 'ten']) {
      const result = await call(`/api/v1/companies/${companyUuid}/inventory-items?per_page=${perPage}`);
      expect(result.status).toBe(422);
      expect(result.body.errors).toHaveProperty('per_page');
    }
    const periodicity = await call('/api/v1/revenue-and-cogs?start_date=2024-01-01&periodicity=weekly');
    expect(periodicity.body.errors).toHaveProperty('periodicity');
  });

  it('unknown ids are 404 with a message', async () => {
    const company = await call('/api/v1/companies/00000000-0000-4000-8000-000000000000/warehouses');
    expect(company.status).toBe(404);
    expect(company.body.message).toContain('00000000-0000-4000-8000-000000000000');
    const item = await call(`/api/v1/companies/${companyUuid}/inventory-items/999999/balances`);
    expect(item.status).toBe(404);
    expect(item.body.message).toContain('999999');
    const importStatus = await call(
      `/api/v1/companies/${companyUuid}/import/bill/status/00000000-0000-4000-8000-000000000000`,
    );
    expect(importStatus.status).toBe(404);
  });

  it('401 without a token, with garbage, and with a token from another issuer', async () => {
    const none = await fetch(`${sandbox.url}/api/v1/companies`);
    expect(none.status).toBe(401);
    expect(await none.json()).toHaveProperty('message');
    const garbage = await fetch(`${sandbox.url}/api/v1/companies`, { headers: { authorization: 'Bearer abc' } });
    expect(garbage.status).toBe(401);
    const foreign = await sandbox.issueToken({ sub: 'alice', extraClaims: { iss: 'https://evil.example' } });
    const other = await fetch(`${sandbox.url}/api/v1/companies`, { headers: { authorization: `Bearer ${foreign}` } });
    expect(other.status).toBe(401);
  });

  it('echoes X-Request-Id and logs the raw path and query, never the token', async () => {
    const rawPath = `/api/v1/companies/${companyUuid}/inventory-items`;
    await call(`${rawPath}?search=a%2Fb&per_page=10`, { headers: { 'x-request-id': 'trace-123' } });
    const entry = sandbox.requestLog.entries().find((logged) => logged.requestId === 'trace-123');
    expect(entry).toMatchObject({
      method: 'GET',
      path: rawPath,
      query: 'search=a%2Fb&per_page=10',
      operationId: 'listInventoryItems',
      user: 'alice',
      status: 200,
    });
    expect(JSON.stringify(sandbox.requestLog.entries())).not.toContain(token);
  });

  it('counts writes per idempotency key', async () => {
    sandbox.requestLog.clear();
    const path = `/api/v1/companies/${companyUuid}/create/bill`;
    const send = () =>
      call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'same-write' },
        body: JSON.stringify({ data: {} }),
      });
    await send();
    expect(sandbox.requestLog.duplicateWrites()).toEqual([]);
    await send();
    expect(sandbox.requestLog.duplicateWrites()).toEqual([{ key: 'idempotency-key:same-write', count: 2 }]);
  });
});
