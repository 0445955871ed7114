/**
 * Seeded documents of one company: inventory orders, bills, manual invoices, shipments, assembly orders
 * and adjustments whose lines reference the company's own items, vendors, services, warehouses and sales
 * channels, plus the company's sales served as invoices synced from Amazon, and the payment requests
 * generated from payment terms.
 */

import { createRandom, hashSeed } from '../random.js';
import type { CompanyCatalog } from './catalog-seed.js';
import { addDays } from './dates.js';
import type {
  CompanyRecord,
  DocumentKindName,
  DocumentRecord,
  InventoryRecord,
  InvoiceRecord,
  PaymentRequestRecord,
  PaymentTermRecord,
  WarehouseRecord,
} from './model.js';
import { installments, SYSTEM_PAYMENT_TERMS } from './payment-terms.js';

/** First id of each collection; the API continues from the highest id. */
const FIRST_DOCUMENT_ID: Record<DocumentKindName, number> = {
  inventoryOrders: 4201,
  bills: 1701,
  invoices: 600_001,
  shipments: 1501,
  assemblyOrders: 2601,
  adjustments: 8001,
};

/** Sum of quantity × unit price of `lines` (the server-computed totals of orders, bills and adjustments). */
export function linesTotal(lines: unknown, unitKey: string): number {
  if (!Array.isArray(lines)) return 0;
  const total = lines.reduce(
    (sum: number, line: Record<string, number>) => sum + (line.quantity ?? 0) * (line[unitKey] ?? 0),
    0,
  );
  return Math.round(total * 100) / 100;
}

interface DocumentIds {
  next(kind: DocumentKindName): number;
  nextPaymentRequest(): number;
}

/** The company's documents and payment requests. */
function buildDocuments(
  seed: number,
  index: number,
  company: CompanyRecord,
  context: {
    items: readonly InventoryRecord[];
    warehouses: readonly WarehouseRecord[];
    catalog: CompanyCatalog;
    terms: readonly PaymentTermRecord[];
    ids: DocumentIds;
  },
): { documents: Record<DocumentKindName, DocumentRecord[]>; paymentRequests: PaymentRequestRecord[] } {
  const random = createRandom(hashSeed(seed, 'documents', index));
  const { items, warehouses, catalog, ids } = context;
  const market = company.marketplaces[0] ?? 'US';
  const main = warehouses.find((warehouse) => warehouse.type === 'Asset') ?? (warehouses[0] as WarehouseRecord);
  const fba = warehouses.find((warehouse) => warehouse.type === 'Amazon FBA') ?? main;
  const service = (name: string) => catalog.services.find((entry) => entry.name === name)?.id ?? 0;
  const pickItems = (count: number) => Array.from({ length: count }, () => random.pick(items));
  const prefix = company.shortName;
  const record = (kind: DocumentKindName, fields: Record<string, unknown>, source?: string): DocumentRecord => ({
    id: ids.next(kind),
    companyUuid: company.uuid,
    fields,
    ...(source ? { source } : {}),
  });

  const inventoryOrders = [0, 1, 2, 3].map((n) => {
    const date = addDays('2025-02-03', n * 61);
    return record('inventoryOrders', {
      name: `Restock ${n + 1}`,
      ref_number: `PO-${prefix}-${1001 + n}`,
      date_order_placed: date,
      date_manufacturing_completed: addDays(date, 35),
      market,
      currency: company.currency,
      vendor_id: catalog.vendors[n % 2]?.id,
      warehouse_id: main.id,
      payment_term_id: n === 0 ? 2 : null,
      details: pickItems(3).map((item) => ({
        inventory_id: item.id,
        quantity: random.int(2, 20) * 50,
        price: Math.round(item.unitCost * 70) / 100,
      })),
    });
  });
  const bills = [0, 1, 2, 3, 4].map((n) => {
    const order = inventoryOrders[n % inventoryOrders.length] as DocumentRecord;
    return record('bills', {
      name: `Freight and duty ${n + 1}`,
      ref_number: `BILL-${prefix}-${2001 + n}`,
      date: addDays(order.fields.date_order_placed as string, 40),
      market,
      currency: company.currency,
      vendor_id: catalog.vendors[2 + (n % 3)]?.id,
      payment_term_id: n === 0 ? (catalog.paymentTerms[0]?.id ?? null) : null,
      documents: [{ type: 'InventoryOrder', id: order.id }],
      details: [
        { service_id: service('Freight Forwarding'), quantity: 1, rate: random.int(400, 2400) },
        { service_id: service('Customs Duty'), quantity: 1, rate: random.int(100, 900) },
        { service_id: service('Prep Fee'), quantity: random.int(100, 600), rate: 0.35 },
      ],
    });
  });
  const invoices = [0, 1].map((n) =>
    record(
      'invoices',
      {
        name: `Wholesale order ${n + 1}`,
        ref_number: `WS-${prefix}-${3001 + n}`,
        transaction_date: addDays('2025-03-10', n * 90),
        market,
        currency: company.currency,
        warehouse_id: main.id,
        customer_id: catalog.customers[1]?.id,
        sales_channel_id: 4,
        details: pickItems(2).map((item) => {
          const quantity = random.int(10, 60);
          return {
            inventory_id: item.id,
            service_id: service('Product Sales'),
            quantity,
            amount: Math.round(quantity * item.unitPrice * 80) / 100,
          };
        }),
      },
      'manual',
    ),
  );
  const shipments = [0, 1, 2].map((n) =>
    record(
      'shipments',
      {
        name: `FBA replenishment ${n + 1}`,
        ref_number: `SHP-${prefix}-${4001 + n}`,
        date_shipment_sent: addDays('2025-04-01', n * 45),
        date_shipment_arrived: addDays('2025-04-01', n * 45 + 9),
        origin_market: market,
        destination_market: fba.countryCode ?? market,
        origin_warehouse_id: main.id,
        destination_warehouse_id: fba.id,
        tracking_number: `1Z${random.int(100000000, 999999999)}`,
        shipment_method: 'LTL',
        items: pickItems(2).map((item) => {
          const shipped = random.int(20, 200);
          return { origin_inventory_id: item.id, quantity_shipped: shipped, quantity_received: shipped };
        }),
      },
      n === 2 ? 'Amazon FBA' : 'Manual',
    ),
  );
  const assemblyOrders = [0, 1].map((n) =>
    record('assemblyOrders', {
      name: `Bundle assembly ${n + 1}`,
      ref_number: `ASM-${prefix}-${5001 + n}`,
      date_order_assembled: addDays('2025-05-15', n * 30),
      market,
      warehouse_id: main.id,
      items: pickItems(1).map((item) => ({ assembly_id: item.id, quantity: random.int(10, 100) })),
    }),
  );
  const adjustments = ['Damaged', 'Misplaced', 'Administrative Errors'].map((reason, n) =>
    record('adjustments', {
      name: `${reason} stock`,
      ref_number: `ADJ-${prefix}-${6001 + n}`,
      date: addDays('2025-06-30', n * 31),
      market,
      currency: company.currency,
      reason,
      warehouse_id: main.id,
      details: pickItems(1).map((item) => ({
        inventory_id: item.id,
        service_id: service('Inventory Write-off'),
        quantity: random.int(1, 12),
        rate: item.unitCost,
      })),
    }),
  );

  const paymentRequests: PaymentRequestRecord[] = [];
  const addInstallments = (kind: 'bills' | 'inventoryOrders', document: DocumentRecord, date: string, unit: string) => {
    const term = context.terms.find((candidate) => candidate.id === document.fields.payment_term_id);
    if (!term) return;
    const total = linesTotal(document.fields.details, unit);
    for (const entry of installments(term, {
      kind,
      id: document.id,
      companyUuid: company.uuid,
      date,
      total,
      currency: company.currency,
    })) {
      paymentRequests.push({ ...entry, id: ids.nextPaymentRequest() });
    }
  };
  for (const order of inventoryOrders) {
    addInstallments('inventoryOrders', order, order.fields.date_order_placed as string, 'price');
  }
  for (const bill of bills) addInstallments('bills', bill, bill.fields.date as string, 'rate');
  return {
    documents: { inventoryOrders, bills, invoices, shipments, assemblyOrders, adjustments },
    paymentRequests,
  };
}

/** The company's sales as invoices synced from Amazon (read-only through the API). */
function salesInvoices(
  company: CompanyRecord,
  sales: readonly InvoiceRecord[],
  warehouses: readonly WarehouseRecord[],
  catalog: CompanyCatalog,
): DocumentRecord[] {
  const productSales = catalog.services.find((entry) => entry.name === 'Product Sales')?.id ?? 0;
  const customer = catalog.customers[0]?.id ?? null;
  const fbaOf = new Map(
    warehouses.filter((warehouse) => warehouse.type === 'Amazon FBA').map((w) => [w.countryCode, w.id]),
  );
  return sales.map((sale) => ({
    id: sale.id,
    companyUuid: company.uuid,
    source: 'amazon',
    fields: {
      name: null,
      ref_number: sale.refNumber,
      transaction_date: sale.date,
      market: sale.countryCode,
      currency: company.currency,
      warehouse_id: fbaOf.get(sale.countryCode) ?? null,
      customer_id: customer,
      sales_channel_id: 1,
      details: sale.lines.map((line) => ({
        inventory_id: line.itemId,
        service_id: productSales,
        quantity: line.quantity,
        amount: line.revenue,
      })),
    },
  }));
}

/** Every company's documents, with ids counted across companies per collection. */
export function buildAllDocuments(
  seed: number,
  companies: readonly CompanyRecord[],
  warehouses: readonly WarehouseRecord[],
  inventory: readonly InventoryRecord[],
  sales: readonly InvoiceRecord[],
  catalogs: readonly CompanyCatalog[],
): { documents: Record<DocumentKindName, DocumentRecord[]>; paymentRequests: PaymentRequestRecord[] } {
  const counters = { ...FIRST_DOCUMENT_ID };
  let paymentRequestId = 900;
  const ids = {
    next: (kind: DocumentKindName) => counters[kind]++,
    nextPaymentRequest: () => ++paymentRequestId,
  };
  const documents: Record<DocumentKindName, DocumentRecord[]> = {
    inventoryOrders: [],
    bills: [],
    invoices: [],
    shipments: [],
    assemblyOrders: [],
    adjustments: [],
  };
  const paymentRequests: PaymentRequestRecord[] = [];
  for (const [index, company] of companies.entries()) {
    const catalog = catalogs[index] as CompanyCatalog;
    const own = warehouses.filter((warehouse) => warehouse.companyUuid === company.uuid);
    const seeded = buildDocuments(seed, index, company, {
      items: inventory.filter((item) => item.companyUuid === company.uuid),
      warehouses: own,
      catalog,
      terms: [...SYSTEM_PAYMENT_TERMS, ...catalog.paymentTerms],
      ids,
    });
    for (const kind of Object.keys(documents) as DocumentKindName[]) documents[kind].push(...seeded.documents[kind]);
    documents.invoices.push(
      ...salesInvoices(
        company,
        sales.filter((sale) => sale.companyUuid === company.uuid),
        own,
        catalog,
      ),
    );
    paymentRequests.push(...seeded.paymentRequests);
  }
  return { documents, paymentRequests };
}
