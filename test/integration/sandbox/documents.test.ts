/**
 * The document collections of NeonPanel API 1.2 in the sandbox, as a user relies on them: documents that
 * round-trip (created, listed, read, changed), installments from payment terms, records that stay gone,
 * read-only and closed-period refusals, references checked within the company, seeded data that hangs
 * together, and what bob and vera (view-only) are refused.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { InventoryRecord } from '../../../sandbox/data/model.js';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';
import { type Call, type CallInit, useSandboxApi } from './api-calls.js';

const api = useSandboxApi();
let sandbox: Sandbox;
let companyUuid: string;
let bobCompanyUuid: string;
let call: (path: string, init?: CallInit) => Promise<Call>;
let expectValid: (operationId: string, path: string, status?: number, init?: CallInit) => Promise<Call>;
beforeAll(() => {
  ({ sandbox, companyUuid, bobCompanyUuid, call, expectValid } = api);
});

function firstItem(): InventoryRecord {
  const item = sandbox.data.inventory.find((candidate) => candidate.companyUuid === companyUuid);
  if (!item) throw new Error('seed has no items');
  return item;
}

describe('documents: state per sandbox', () => {
  const bills = () => `/api/v1/companies/${companyUuid}/bills`;

  it('a bill created is listed and readable, an update shows, its id stays', async () => {
    const vendor = sandbox.data.vendors.find((entry) => entry.companyUuid === companyUuid && !entry.paymentTermId);
    const service = sandbox.data.services.find((entry) => entry.companyUuid === companyUuid);
    const created = await expectValid('bills.create', bills(), 200, {
      method: 'POST',
      json: {
        ref_number: 'RT-BILL-1',
        date: '2025-09-01',
        vendor_id: vendor?.id,
        details: [{ service_id: service?.id, quantity: 3, rate: 250 }],
      },
    });
    expect(created.body).toMatchObject({
      ref_number: 'RT-BILL-1',
      amount: 750,
      currency: 'USD',
      vendor: { id: vendor?.id, name: vendor?.name },
      details: [{ service_id: service?.id, service_name: service?.name, quantity: 3, rate: 250, amount: 750 }],
      payment_requests: [],
    });
    const id = created.body.id as number;
    const listed = await expectValid('bills.list', `${bills()}?search=RT-BILL`);
    expect((listed.body.data as Array<{ id: number }>).map((bill) => bill.id)).toEqual([id]);
    expect(listed.body.filters).toEqual({ search: 'RT-BILL' });
    await expectValid('bills.update', `${bills()}/${id}`, 200, {
      method: 'PUT',
      json: { name: 'Renamed', ref_number: 'IGNORED', details: [{ service_id: service?.id, quantity: 1, rate: 99.5 }] },
    });
    const read = await expectValid('bills.read', `${bills()}/${id}`);
    expect(read.body).toMatchObject({ id, name: 'Renamed', ref_number: 'RT-BILL-1', amount: 99.5 });
    expect(read.body.details).toHaveLength(1);
  });

  it('a payment term generates installments; one edited through payment requests shows on the bill', async () => {
    const created = await expectValid('bills.create', bills(), 200, {
      method: 'POST',
      json: {
        ref_number: 'RT-BILL-TERM',
        date: '2025-09-10',
        payment_term_id: 2,
        details: [
          { service_id: sandbox.data.services.find((s) => s.companyUuid === companyUuid)?.id, quantity: 10, rate: 100 },
        ],
      },
    });
    const installments = created.body.payment_requests as Array<{ id: number; amount_due: number; due_date: string }>;
    expect(installments.map((entry) => [entry.amount_due, entry.due_date])).toEqual([
      [300, '2025-09-10'],
      [700, '2025-10-10'],
    ]);
    const first = installments[0]?.id;
    const paid = await expectValid(
      'paymentRequests.update',
      `/api/v1/companies/${companyUuid}/payment-requests/${first}`,
      200,
      { method: 'PUT', json: { paid_amount: 300, payment_date: '2025-09-12' } },
    );
    expect(paid.body).toMatchObject({
      paid_amount: 300,
      document: { id: created.body.id, type: 'Bill', ref_number: 'RT-BILL-TERM' },
    });
    const read = await expectValid('bills.read', `${bills()}/${created.body.id}`);
    expect((read.body.payment_requests as Array<{ paid_amount: number | null }>)[0]?.paid_amount).toBe(300);
    // A term with one installment keeps the first (and its edit) and drops the second.
    const resynced = await expectValid('bills.update', `${bills()}/${created.body.id}`, 200, {
      method: 'PUT',
      json: { payment_term_id: 3 },
    });
    expect(resynced.body.payment_requests).toEqual([expect.objectContaining({ id: first, paid_amount: 300 })]);
  });

  it('an inventory item and a product deleted are gone; ids of new records are not reused', async () => {
    const item = firstItem();
    const items = `/api/v1/companies/${companyUuid}/inventory-items`;
    const created = await expectValid('createInventoryItem', items, 200, {
      method: 'POST',
      json: { product_id: item.productId, listing_id: item.listingId, restock_data: { lead_time_days: 60 } },
    });
    expect(created.body).toMatchObject({ product: { id: item.productId }, listing: { id: item.listingId } });
    expect((created.body.restock_data as { lead_time_days: number }).lead_time_days).toBe(60);
    await expectValid('deleteInventoryItem', `${items}/${created.body.id}`, 204, { method: 'DELETE' });
    expect((await call(`${items}/${created.body.id}`)).status).toBe(404);
    expect((await call(`${items}/${created.body.id}/balances`)).status).toBe(404);
    const again = await expectValid('createInventoryItem', items, 200, { method: 'POST', json: {} });
    expect(again.body.id).toBeGreaterThan(created.body.id as number);

    const products = `/api/v1/companies/${companyUuid}/products`;
    const product = await expectValid('createProduct', products, 200, {
      method: 'POST',
      json: { sku: 'RT-SKU', name: 'Round trip' },
    });
    const found = await call(`${products}?sku=RT-SKU`);
    expect(found.body.data).toEqual([product.body]);
    await expectValid('deleteProduct', `${products}/${product.body.id}`, 204, { method: 'DELETE' });
    expect((await call(`${products}?sku=RT-SKU`)).body.data).toEqual([]);
  });

  it('an invoice synced from Amazon and a shipment from Amazon are read-only (400)', async () => {
    const synced = sandbox.data.documents.invoices.find(
      (record) => record.companyUuid === companyUuid && record.source === 'amazon',
    );
    const invoice = await call(`/api/v1/companies/${companyUuid}/invoices/${synced?.id}`, {
      method: 'PUT',
      json: { name: 'edit' },
    });
    expect(invoice.status).toBe(400);
    expect(invoice.body.message).toContain('amazon');
    const shipment = sandbox.data.documents.shipments.find(
      (record) => record.companyUuid === companyUuid && record.source !== 'Manual',
    );
    const refused = await call(`/api/v1/companies/${companyUuid}/shipments/${shipment?.id}`, {
      method: 'PUT',
      json: { name: 'edit' },
    });
    expect(refused.status).toBe(400);
  });

  it('a document dated before the Entry Locked Date is 400, on create and on update', async () => {
    const create = await call(bills(), { method: 'POST', json: { ref_number: 'LOCKED', date: '2023-12-31' } });
    expect(create.status).toBe(400);
    expect(create.body.message).toContain('2024-01-01');
    const seeded = sandbox.data.documents.bills.find((record) => record.companyUuid === companyUuid);
    const update = await call(`${bills()}/${seeded?.id}`, { method: 'PUT', json: { date: '2023-01-01' } });
    expect(update.status).toBe(400);
  });

  it('references outside the company are 422 naming each field', async () => {
    const bobsVendor = sandbox.data.vendors.find((entry) => entry.companyUuid === bobCompanyUuid);
    const result = await call(bills(), {
      method: 'POST',
      json: { vendor_id: bobsVendor?.id, details: [{ service_id: 1, quantity: 1, rate: 1 }, { quantity: 0 }] },
    });
    expect(result.status).toBe(422);
    expect(Object.keys(result.body.errors as object).sort()).toEqual([
      'details.1.quantity',
      'details.1.rate',
      'details.1.service_id',
    ]);
    const references = await call(bills(), {
      method: 'POST',
      json: { vendor_id: bobsVendor?.id, details: [{ service_id: 1, quantity: 1, rate: 1 }] },
    });
    expect(references.body.errors).toEqual({
      vendor_id: ['The selected vendor_id is invalid.'],
      'details.0.service_id': ['The selected details.0.service_id is invalid.'],
    });
  });
  it('what one sandbox changes, another sandbox in the same process never sees', async () => {
    const created = await call(bills(), { method: 'POST', json: { ref_number: 'ONLY-HERE', date: '2025-09-20' } });
    expect(created.status).toBe(200);
    const seeded = sandbox.data.documents.bills.find((record) => record.companyUuid === companyUuid);
    await call(`${bills()}/${seeded?.id}`, { method: 'PUT', json: { name: 'Changed here' } });
    const other = await startSandbox({ port: 0 });
    try {
      const token = await other.issueToken({ sub: 'alice' });
      const get = (path: string) =>
        fetch(`${other.url}/api/v1/companies/${companyUuid}/bills${path}`, {
          headers: { authorization: `Bearer ${token}` },
        }).then((response) => response.json() as Promise<Record<string, unknown>>);
      expect((await get('?search=ONLY-HERE')).data).toEqual([]);
      expect((await get(`/${seeded?.id}`)).name).not.toBe('Changed here');
      // Ids continue from the seed in each sandbox, whatever other sandboxes created.
      const first = (await fetch(`${other.url}/api/v1/companies/${companyUuid}/bills`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ref_number: 'THERE', date: '2025-09-20' }),
      }).then((response) => response.json())) as { id: number };
      expect(first.id).toBe(Math.max(...sandbox.data.documents.bills.map((record) => record.id)) + 1);
    } finally {
      await other.close();
    }
  });
});

describe('seeded data hangs together', () => {
  it('every document line references its own company’s items, services, vendors and warehouses', () => {
    const ownIds = (records: ReadonlyArray<{ id: number; companyUuid: string | null }>, company: string) =>
      new Set(records.filter((record) => record.companyUuid === company).map((record) => record.id));
    // Each kind names only some of these fields; `checked` shows that each kind of reference was checked at all.
    const checked = new Set<string>();
    const expectOwn = (ids: ReadonlySet<number>, id: unknown, kind: string, field: string) => {
      checked.add(field);
      expect(ids.has(id as number), `${kind} ${field}`).toBe(true);
    };
    for (const [kind, records] of Object.entries(sandbox.data.documents)) {
      for (const record of records.filter((entry) => entry.source !== 'amazon')) {
        const items = ownIds(sandbox.data.inventory, record.companyUuid);
        const services = ownIds(sandbox.data.services, record.companyUuid);
        const warehouses = ownIds(sandbox.data.warehouses, record.companyUuid);
        const lines = (record.fields.details ?? record.fields.items) as Array<Record<string, number>>;
        expect(lines.length, `${kind} ${record.id}`).toBeGreaterThan(0);
        for (const line of lines) {
          for (const field of ['inventory_id', 'origin_inventory_id', 'assembly_id']) {
            if (line[field] !== undefined) expectOwn(items, line[field], kind, field);
          }
          if (line.service_id !== undefined) expectOwn(services, line.service_id, kind, 'service_id');
        }
        for (const field of ['warehouse_id', 'origin_warehouse_id', 'destination_warehouse_id']) {
          const id = record.fields[field];
          if (id != null) expectOwn(warehouses, id, kind, field);
        }
        const vendor = record.fields.vendor_id;
        if (vendor != null) expectOwn(ownIds(sandbox.data.vendors, record.companyUuid), vendor, kind, 'vendor_id');
      }
    }
    expect([...checked]).toEqual(expect.arrayContaining(['inventory_id', 'service_id', 'warehouse_id', 'vendor_id']));
  });

  it('document lists paginate; sales channels and payment terms are plain data arrays', async () => {
    const page = await expectValid('invoices.list', `/api/v1/companies/${companyUuid}/invoices?per_page=5&page=2`);
    expect(page.body).toMatchObject({ current_page: 2, per_page: 5 });
    expect(page.body.last_page).toBeGreaterThan(100);
    expect(page.body.data).toHaveLength(5);
    const tooMany = await call(`/api/v1/companies/${companyUuid}/invoices?per_page=500`);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors).toHaveProperty('per_page');
    const channels = await expectValid('salesChannels.list', '/api/v1/sales-channels');
    expect(Object.keys(channels.body)).toEqual(['data']);
    const terms = await expectValid('paymentTerms.list', `/api/v1/companies/${companyUuid}/payment-terms`);
    expect(Object.keys(terms.body)).toEqual(['data']);
    expect((terms.body.data as Array<{ system: boolean }>).some((term) => !term.system)).toBe(true);
    const vendors = await expectValid('vendors.list', `/api/v1/companies/${companyUuid}/vendors`);
    expect(vendors.body.per_page).toBe(100);
  });
});

describe('permissions', () => {
  it('vera sees alice’s first company but every write is 403 naming the permission, and no reports', async () => {
    const read = await call(`/api/v1/companies/${companyUuid}/bills`, { as: 'vera' });
    expect(read.status).toBe(200);
    const write = await call(`/api/v1/companies/${companyUuid}/bills`, {
      as: 'vera',
      method: 'POST',
      json: { ref_number: 'NOPE' },
    });
    expect(write.status).toBe(403);
    expect(write.body.message).toContain('edit:pages.processes.bills-and-expenses');
    const reports = await call('/api/v1/reports', { as: 'vera' });
    expect(reports.body).toEqual({ count: 0, data: [] });
    const own = await call(`/api/v1/companies/${companyUuid}/permissions`, { as: 'vera' });
    expect((own.body.permissions as string[]).every((name) => name.startsWith('view:'))).toBe(true);
    const withEdit = await call('/api/v1/permissions/edit:pages.processes.bills-and-expenses/companies', {
      as: 'vera',
    });
    expect(withEdit.body.companies).toEqual([]);
    const aliceEdit = await call('/api/v1/permissions/edit:pages.processes.bills-and-expenses/companies');
    expect((aliceEdit.body.companies as Array<{ uuid: string }>).map((company) => company.uuid)).toEqual(
      sandbox.users.alice?.companyUuids,
    );
  });

  it('bob cannot read or change alice’s documents (403), and his own ids are 404 in her company', async () => {
    const seeded = sandbox.data.documents.bills.find((record) => record.companyUuid === companyUuid);
    const read = await call(`/api/v1/companies/${companyUuid}/bills/${seeded?.id}`, { as: 'bob' });
    expect(read.status).toBe(403);
    const change = await call(`/api/v1/companies/${companyUuid}/bills/${seeded?.id}`, {
      as: 'bob',
      method: 'PUT',
      json: { name: 'mine now' },
    });
    expect(change.status).toBe(403);
    const bobsBill = sandbox.data.documents.bills.find((record) => record.companyUuid === bobCompanyUuid);
    const crossed = await call(`/api/v1/companies/${companyUuid}/bills/${bobsBill?.id}`);
    expect(crossed.status).toBe(404);
  });
});
