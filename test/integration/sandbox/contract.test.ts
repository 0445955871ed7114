/**
 * The sandbox against NeonPanel API 1.2's document: every one of its operations is called with a token from
 * the real OAuth flow, and each answer, success and the main error statuses, is validated against the
 * document's response schema (ajv, JSON Schema 2020-12). An operation the sandbox does not serve, or
 * answers off-schema, fails here.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentKindName } from '../../../sandbox/data/model.js';
import type { Sandbox } from '../../../sandbox/index.js';
import { type CallInit, useSandboxApi } from './api-calls.js';
import { apiOperations, readApiDocument } from './api-schemas.js';

const api = useSandboxApi({ importDelayMs: 200 });
let sandbox: Sandbox;
let company: string;
let bobCompany: string;
beforeAll(() => {
  ({ sandbox, companyUuid: company, bobCompanyUuid: bobCompany } = api);
});
/** operationId → statuses the test saw valid answers of. */
const covered = new Map<string, Set<number>>();

async function check(operationId: string, path: string, status: number, init: CallInit = {}) {
  const result = await api.expectValid(operationId, `/api/v1${path}`, status, init);
  const statuses = covered.get(operationId) ?? new Set<number>();
  statuses.add(status);
  covered.set(operationId, statuses);
  return result.body;
}

const own = <T extends { companyUuid: string | null }>(records: readonly T[]): T => {
  const record = records.find((candidate) => candidate.companyUuid === company);
  if (!record) throw new Error('the seed has no such record in alice’s company');
  return record;
};
const seededId = (kind: DocumentKindName) => own(sandbox.data.documents[kind]).id;
const bobsId = (kind: DocumentKindName) =>
  sandbox.data.documents[kind].find((record) => record.companyUuid === bobCompany)?.id;

describe('account, reports and analytics', () => {
  it('companies and permissions', async () => {
    await check('listCompanies', '/companies', 200);
    await check('listCompanies', '/companies', 401, { headers: { authorization: 'Bearer not-a-token' } });
    await check('listPermissions', '/permissions', 200);
    await check('listCompaniesWithPermission', '/permissions/edit:pages.processes.bills-and-expenses/companies', 200);
    await check('listPermissionsByCompany', `/companies/${company}/permissions`, 200);
    await check('listPermissionsByCompany', `/companies/${company}/permissions`, 403, { as: 'bob' });
  });

  it('reports', async () => {
    const list = await check('listReports', '/reports', 200);
    const report = (list.data as Array<{ id: number }>)[0];
    await check('getReportData', `/reports/${report?.id}`, 200);
    await check('getReportData', '/reports/999', 404);
    await check('getReportData', `/reports/${report?.id}`, 403, { as: 'vera' });
    await check('revenueAndCogsSummary', '/revenue-and-cogs?start_date=2025-01-01&end_date=2025-03-31', 200);
    await check('revenueAndCogsSummary', '/revenue-and-cogs?start_date=2025-13-01', 422);
  });
});

describe('warehouses and inventory', () => {
  it('warehouses and their balances', async () => {
    const warehouse = own(sandbox.data.warehouses);
    await check('listWarehouses', `/companies/${company}/warehouses`, 200);
    await check('listWarehouses', `/companies/${company}/warehouses`, 403, { as: 'bob' });
    await check('listWarehouses', '/companies/00000000-0000-4000-8000-000000000000/warehouses', 404);
    await check('warehouseBalances', `/companies/${company}/warehouses/${warehouse.uuid}/balances`, 200);
    await check('warehouseBalances', `/companies/${company}/warehouses/${bobCompany}/balances`, 404);
  });

  it('inventory items: list, balances, costs, and create / read / update / delete', async () => {
    const item = own(sandbox.data.inventory);
    const warehouse = sandbox.data.warehouses.find((candidate) => candidate.itemIds.includes(item.id));
    await check('listInventoryItems', `/companies/${company}/inventory-items?per_page=10`, 200);
    await check('listInventoryItems', `/companies/${company}/inventory-items?per_page=9`, 422);
    await check('inventoryBalances', `/companies/${company}/inventory-items/${item.id}/balances`, 200);
    await check('inventoryBalances', `/companies/${company}/inventory-items/999999/balances`, 404);
    const period = 'start_date=2024-01-01&end_date=2025-12-31';
    await check(
      'listInventoryLandedCosts',
      `/companies/${company}/inventory-items/${item.id}/landed-cost?warehouse_uuid=${warehouse?.uuid}&${period}`,
      200,
    );
    await check('listInventoryCogs', `/companies/${company}/inventory-items/${item.id}/cogs?${period}`, 200);
    await check('getInventoryItemFullData', `/companies/${company}/inventory-items/${item.id}`, 200);
    const created = await check('createInventoryItem', `/companies/${company}/inventory-items`, 200, {
      method: 'POST',
      json: { product_id: item.productId, listing_id: item.listingId, variation: 'Blue', country_code: 'US' },
    });
    await check('createInventoryItem', `/companies/${company}/inventory-items`, 422, {
      method: 'POST',
      json: { listing_id: 'one' },
    });
    const path = `/companies/${company}/inventory-items/${created.id}`;
    await check('updateInventoryItem', path, 200, { method: 'PUT', json: { variation: 'Green' } });
    await check('deleteInventoryItem', path, 204, { method: 'DELETE' });
    await check('getInventoryItemFullData', path, 404);
  });

  it('products and listings', async () => {
    await check('getProducts', `/companies/${company}/products`, 200);
    const product = await check('createProduct', `/companies/${company}/products`, 200, {
      method: 'POST',
      json: { sku: 'ACM-NEW', name: 'New product', weight: 1.5 },
    });
    await check('createProduct', `/companies/${company}/products`, 422, { method: 'POST', json: { name: 'no sku' } });
    const path = `/companies/${company}/products/${product.id}`;
    await check('updateProduct', path, 200, { method: 'PUT', json: { name: 'Renamed product' } });
    await check('deleteProduct', path, 403, { method: 'DELETE', as: 'vera' });
    await check('deleteProduct', path, 204, { method: 'DELETE' });
    await check('updateProduct', path, 404, { method: 'PUT', json: { name: 'gone' } });
    const listings = await check('getListings', `/companies/${company}/listings?per_page=1`, 200);
    const listing = (listings.data as Array<{ id: number }>)[0];
    await check('syncListing', `/companies/${company}/listings/${listing?.id}/sync`, 200, { method: 'POST' });
    await check('syncListing', `/companies/${company}/listings/1/sync`, 404, { method: 'POST' });
  });

  it('forecasting settings', async () => {
    const path = `/companies/${company}/settings/forecasts`;
    await check('getCompanyForecastingSettings', path, 200);
    await check('updateCompanyForecastingSettings', path, 200, { method: 'PUT', json: { default_lead_time_days: 45 } });
    await check('updateCompanyForecastingSettings', path, 422, { method: 'PUT', json: { status: 'paused' } });
  });
});

describe('imports', () => {
  it('instructions, JSON and PDF imports, and their status', async () => {
    await check('getImportInstructions', '/import/bill/instructions', 200);
    await check('getImportInstructions', '/import/invoice/instructions', 404);
    const created = await check('createDocuments', `/companies/${company}/create/bill`, 200, {
      method: 'POST',
      json: { data: { ref_number: 'IMP-1', date: '2025-01-15' } },
    });
    await check('createDocuments', `/companies/${company}/create/invoice`, 400, { method: 'POST', json: { data: {} } });
    await check('createDocumentsByPdf', `/companies/${company}/import/bill/pdf?filename=bill.pdf`, 202, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-1.4\n%minimal\n'),
    });
    await check('createDocumentsByPdf', `/companies/${company}/import/bill/pdf`, 415, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    await check('checkImportProcessing', `/companies/${company}/import/bill/status/${created.request_id}`, 202);
  });
});

describe('lists that documents reference', () => {
  it('vendors and services (paginated), payment terms and sales channels (plain data)', async () => {
    await check('vendors.list', `/companies/${company}/vendors?search=freight`, 200);
    await check('vendors.list', `/companies/${company}/vendors`, 403, { as: 'bob' });
    await check('services.list', `/companies/${company}/services?per_page=3`, 200);
    await check('paymentTerms.list', `/companies/${company}/payment-terms`, 200);
    await check('paymentTerms.list', `/companies/${company}/payment-terms`, 403, { as: 'bob' });
    await check('salesChannels.list', '/sales-channels', 200);
  });
});

/** A valid create payload per collection, from alice's first company's own records. */
function createPayload(kind: DocumentKindName): Record<string, unknown> {
  const item = own(sandbox.data.inventory);
  const warehouse = own(sandbox.data.warehouses);
  const vendor = own(sandbox.data.vendors);
  const service = own(sandbox.data.services);
  const ref = { ref_number: `CT-${kind}` };
  switch (kind) {
    case 'inventoryOrders':
      return {
        ...ref,
        date_order_placed: '2025-08-01',
        vendor_id: vendor.id,
        warehouse_id: warehouse.id,
        payment_term_id: 2,
        details: [{ inventory_id: item.id, quantity: 100, price: 3.5 }],
      };
    case 'bills':
      return {
        ...ref,
        date: '2025-08-15',
        vendor_id: vendor.id,
        documents: [{ type: 'InventoryOrder', id: seededId('inventoryOrders') }],
        details: [{ service_id: service.id, quantity: 2, rate: 125 }],
      };
    case 'invoices':
      return {
        ...ref,
        transaction_date: '2025-08-20',
        market: 'US',
        warehouse_id: warehouse.id,
        sales_channel_id: 2,
        details: [{ inventory_id: item.id, service_id: service.id, quantity: 3, amount: 59.97 }],
      };
    case 'shipments':
      return {
        ...ref,
        date_shipment_sent: '2025-08-21',
        origin_warehouse_id: warehouse.id,
        destination_warehouse_id: warehouse.id,
        shipment_method: 'LTL',
        items: [{ origin_inventory_id: item.id, quantity_shipped: 10, quantity_received: 10 }],
      };
    case 'assemblyOrders':
      return {
        ...ref,
        date_order_assembled: '2025-08-22',
        warehouse_id: warehouse.id,
        items: [{ assembly_id: item.id, quantity: 5 }],
      };
    case 'adjustments':
      return {
        ...ref,
        date: '2025-08-23',
        reason: 'Damaged',
        warehouse_id: warehouse.id,
        details: [{ inventory_id: item.id, service_id: service.id, quantity: 2, rate: 4.5 }],
      };
  }
}

/** The payload field holding each collection's date (what the Entry Locked Date is checked on). */
const DATE_FIELD: Record<DocumentKindName, string> = {
  inventoryOrders: 'date_order_placed',
  bills: 'date',
  invoices: 'transaction_date',
  shipments: 'date_shipment_sent',
  assemblyOrders: 'date_order_assembled',
  adjustments: 'date',
};

const PATHS: Record<DocumentKindName, string> = {
  inventoryOrders: 'inventory-orders',
  bills: 'bills',
  invoices: 'invoices',
  shipments: 'shipments',
  assemblyOrders: 'assembly-orders',
  adjustments: 'adjustments',
};

describe('documents', () => {
  for (const kind of Object.keys(PATHS) as DocumentKindName[]) {
    it(`${kind}: list, create, read, update and their errors`, async () => {
      const base = `/companies/${company}/${PATHS[kind]}`;
      await check(`${kind}.list`, `${base}?start_date=2024-01-01&end_date=2025-12-31`, 200);
      await check(`${kind}.list`, base, 403, { as: 'bob' });
      const payload = createPayload(kind);
      const created = await check(`${kind}.create`, base, 200, { method: 'POST', json: payload });
      await check(`${kind}.create`, base, 422, { method: 'POST', json: { ...payload, ref_number: 42 } });
      await check(`${kind}.create`, base, 400, {
        method: 'POST',
        json: { ...payload, [DATE_FIELD[kind]]: '2023-06-30' },
      });
      await check(`${kind}.create`, base, 403, { method: 'POST', json: payload, as: 'vera' });
      await check(`${kind}.read`, `${base}/${created.id}`, 200);
      await check(`${kind}.read`, `${base}/${seededId(kind)}`, 200);
      await check(`${kind}.read`, `${base}/${bobsId(kind)}`, 404);
      await check(`${kind}.read`, `${base}/first`, 400);
      await check(`${kind}.update`, `${base}/${created.id}`, 200, { method: 'PUT', json: { name: 'Changed' } });
      await check(`${kind}.update`, `${base}/${created.id}`, 422, { method: 'PUT', json: { name: 42 } });
      await check(`${kind}.update`, `${base}/${bobsId(kind)}`, 404, { method: 'PUT', json: { name: 'x' } });
    });
  }

  it('payment requests: list and update', async () => {
    const list = await check(
      'paymentRequests.list',
      `/companies/${company}/payment-requests?start_date=2025-01-01`,
      200,
    );
    const first = (list.data as Array<{ id: number }>)[0];
    const path = `/companies/${company}/payment-requests`;
    await check('paymentRequests.update', `${path}/${first?.id}`, 200, {
      method: 'PUT',
      json: { paid_amount: 100, payment_date: '2025-03-01', memo: 'first installment' },
    });
    await check('paymentRequests.update', `${path}/${first?.id}`, 422, { method: 'PUT', json: { paid_amount: 'all' } });
    await check('paymentRequests.update', `${path}/1`, 404, { method: 'PUT', json: {} });
  });
});

describe('coverage', () => {
  it('every operation of the document answered a documented success', () => {
    const operations = apiOperations(readApiDocument());
    expect(operations).toHaveLength(59);
    const unanswered = operations
      .filter(({ operationId }) => ![...(covered.get(operationId) ?? [])].some((status) => status < 300))
      .map(({ operationId }) => operationId);
    expect(unanswered).toEqual([]);
  });
});
