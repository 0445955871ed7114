/**
 * The six document collections, each configured once: its path parameter, payload schema, date field,
 * references and response shape. handlers.ts serves list/create/read/update for all of them.
 */

import { linesTotal } from '../../data/documents-seed.js';
import type {
  CompanyRecord,
  CustomerRecord,
  DocumentKindName,
  DocumentRecord,
  InventoryRecord,
  PaymentTermRecord,
  SalesChannelRecord,
  ServiceRecord,
  VendorRecord,
  WarehouseRecord,
} from '../../data/model.js';
import type { ApiContext } from '../context.js';
import { inventoryView, round2, warehouseResource } from '../views.js';
import { lookup, type Relation } from './relations.js';

type Fields = Record<string, unknown>;
type Line = Record<string, unknown>;

export interface DocumentKind {
  name: DocumentKindName;
  /** Short class name NeonPanel gives the model (`DocumentResource.type`). */
  type: string;
  /** Path parameter of the record's id. */
  idParam: string;
  /** Segment of the document's project link. */
  linkPath: string;
  /** Payload field holding the document's date: the Entry Locked Date check and the list's date range. */
  dateField: string;
  /** `ref_number` is required on create (it is optional for inventory orders and bills). */
  refRequired: boolean;
  /** Payload field of the line items, and the references of each line. */
  lines: { key: 'details' | 'items'; fields: Readonly<Record<string, Relation>> };
  /** Header references. */
  references: Readonly<Record<string, Relation>>;
  /** List filters that take ids (`warehouses`, `vendors`) and the payload fields they match. */
  idFilters: Readonly<Record<string, readonly string[]>>;
  /** Bills and inventory orders carry payment requests generated from a payment term. */
  paymentRequests?: { unit: string };
  /** The `source` of a document created through the API (invoices and shipments say where each came from). */
  createdSource?: string;
  /** Why this record may not be changed (a 400), if so. */
  readOnly?(record: DocumentRecord): string | undefined;
  /** The record's own fields as the API returns them, after the `id`, `name` and `link` every document starts with. */
  body(doc: DocumentView): Fields;
}

/** What a kind's `body` reads a record through. */
interface DocumentView {
  ctx: ApiContext;
  record: DocumentRecord;
  fields: Fields;
  find: ReturnType<typeof related>;
  /** The payload fields of these names, each `null` when unset, in this order. */
  pick(...names: string[]): Fields;
  /** The line entries under `key` (none when it is not an array). */
  lines(key: string): Line[];
}

/** The related records of a document, each `null` when unset or gone. */
function related(ctx: ApiContext, company: CompanyRecord) {
  const find = (relation: Relation, id: unknown) => (id == null ? undefined : lookup(ctx, company, relation, id));
  const warehouse = (id: unknown) => {
    const found = find('warehouse', id) as WarehouseRecord | undefined;
    // The document's warehouse schema is not nullable; an unset warehouse is an empty object.
    return found ? warehouseResource(found) : {};
  };
  const named = (record: { id: number; name: string } | undefined) =>
    record ? { id: record.id, name: record.name } : null;
  return {
    warehouse,
    vendor: (id: unknown) => named(find('vendor', id) as VendorRecord | undefined),
    paymentTerm: (id: unknown) => named(find('paymentTerm', id) as PaymentTermRecord | undefined),
    service: (id: unknown) => find('service', id) as ServiceRecord | undefined,
    item: (id: unknown) => find('inventory', id) as InventoryRecord | undefined,
    customer: (id: unknown) => {
      const customer = find('customer', id) as CustomerRecord | undefined;
      return customer
        ? { id: customer.id, bk_id: null, bk_type: null, name: customer.name, code: customer.code }
        : null;
    },
    salesChannel: (id: unknown) => (find('salesChannel', id) as SalesChannelRecord | undefined) ?? null,
  };
}

/** The document's project link (every seeded and created document has a project). */
function link(ctx: ApiContext, kind: { linkPath: string }, record: DocumentRecord): string {
  return `${ctx.publicUrl}/app/processes/${kind.linkPath}/tasks/${record.id}`;
}

const inventoryOrders: DocumentKind = {
  name: 'inventoryOrders',
  type: 'InventoryOrder',
  idParam: 'orderId',
  linkPath: 'inventory-orders',
  dateField: 'date_order_placed',
  refRequired: false,
  lines: { key: 'details', fields: { inventory_id: 'inventory' } },
  references: {
    vendor_id: 'vendor',
    warehouse_id: 'warehouse',
    payment_term_id: 'paymentTerm',
    market: 'market',
    currency: 'currency',
  },
  idFilters: { warehouses: ['warehouse_id'], vendors: ['vendor_id'] },
  paymentRequests: { unit: 'price' },
  body({ fields, find, pick, lines }) {
    return {
      ...pick('ref_number', 'date_order_placed', 'date_manufacturing_completed', 'market'),
      total_amount: linesTotal(fields.details, 'price'),
      ...pick('currency'),
      vendor: find.vendor(fields.vendor_id),
      warehouse: find.warehouse(fields.warehouse_id),
      payment_term: find.paymentTerm(fields.payment_term_id),
      details: lines('details').map((line) => {
        const item = find.item(line.inventory_id);
        return {
          inventory_id: line.inventory_id,
          sku: item?.sku ?? '',
          name: item?.name ?? '',
          quantity: line.quantity,
          price: line.price,
        };
      }),
    };
  },
};

const bills: DocumentKind = {
  name: 'bills',
  type: 'Bill',
  idParam: 'billId',
  linkPath: 'bills-and-expenses',
  dateField: 'date',
  refRequired: false,
  lines: { key: 'details', fields: { service_id: 'service' } },
  references: { vendor_id: 'vendor', payment_term_id: 'paymentTerm', market: 'market', currency: 'currency' },
  idFilters: { vendors: ['vendor_id'] },
  paymentRequests: { unit: 'rate' },
  body({ ctx, fields, find, pick, lines }) {
    return {
      ...pick('ref_number', 'date', 'market'),
      amount: linesTotal(fields.details, 'rate'),
      ...pick('currency'),
      vendor: find.vendor(fields.vendor_id),
      payment_term: find.paymentTerm(fields.payment_term_id),
      documents: lines('documents').flatMap((entry) => {
        const kind = documentKindOfType(entry.type);
        return kind ? [documentReference(ctx, kind, entry.id as number)] : [];
      }),
      details: lines('details').map((line) => {
        const service = find.service(line.service_id);
        return {
          service_id: line.service_id,
          service_name: service?.name ?? null,
          service_group: service?.group ?? null,
          quantity: line.quantity,
          rate: line.rate,
          amount: round2((line.quantity as number) * (line.rate as number)),
        };
      }),
    };
  },
};

/** Invoice and adjustment lines: an item, a service, or both. */
function productServiceLine(find: ReturnType<typeof related>, line: Line, amount: number) {
  const item = find.item(line.inventory_id);
  const service = find.service(line.service_id);
  return {
    inventory_id: line.inventory_id ?? null,
    service_id: line.service_id ?? null,
    sku: item?.sku ?? null,
    product_name: item?.name ?? null,
    service_name: service?.name ?? null,
    service_group: service?.group ?? null,
    quantity: line.quantity ?? null,
    amount,
  };
}

const invoices: DocumentKind = {
  name: 'invoices',
  type: 'Invoice',
  idParam: 'invoiceId',
  linkPath: 'invoices',
  dateField: 'transaction_date',
  refRequired: true,
  lines: { key: 'details', fields: { inventory_id: 'inventory', service_id: 'service' } },
  references: {
    warehouse_id: 'warehouse',
    customer_id: 'customer',
    sales_channel_id: 'salesChannel',
    market: 'market',
    currency: 'currency',
  },
  idFilters: {},
  createdSource: 'manual',
  readOnly: (record) =>
    record.source === 'manual'
      ? undefined
      : `Invoice ${record.id} was synced from ${record.source} and is read-only; only manual invoices can be changed.`,
  body({ record, fields, find, pick, lines }) {
    const details = lines('details');
    return {
      source: record.source ?? 'manual',
      ...pick('ref_number', 'transaction_date', 'market'),
      amount: round2(details.reduce((sum, line) => sum + ((line.amount as number) ?? 0), 0)),
      ...pick('currency'),
      warehouse: find.warehouse(fields.warehouse_id),
      customer: find.customer(fields.customer_id),
      sales_channel: find.salesChannel(fields.sales_channel_id),
      details: details.map((line) => {
        const view = productServiceLine(find, line, line.amount as number);
        return { ...view, service_name: view.service_name ?? '' };
      }),
    };
  },
};

const shipments: DocumentKind = {
  name: 'shipments',
  type: 'Shipment',
  idParam: 'shipmentId',
  linkPath: 'shipments',
  dateField: 'date_shipment_sent',
  refRequired: true,
  lines: { key: 'items', fields: { origin_inventory_id: 'inventory' } },
  references: {
    origin_warehouse_id: 'warehouse',
    destination_warehouse_id: 'warehouse',
    origin_market: 'market',
    destination_market: 'market',
  },
  idFilters: { warehouses: ['origin_warehouse_id', 'destination_warehouse_id'] },
  createdSource: 'Manual',
  readOnly: (record) =>
    record.source === 'Manual'
      ? undefined
      : `Shipment ${record.id} came from ${record.source} and cannot be changed; only manual shipments can.`,
  body({ record, fields, find, pick, lines }) {
    return {
      source_type: record.source ?? 'Manual',
      ...pick('ref_number', 'date_shipment_sent', 'date_shipment_arrived', 'origin_market', 'destination_market'),
      origin_warehouse: find.warehouse(fields.origin_warehouse_id),
      destination_warehouse: find.warehouse(fields.destination_warehouse_id),
      ...pick('tracking_number', 'shipment_method'),
      carrier_name: fields.tracking_number ? 'UPS' : null,
      items: lines('items').map((line) => {
        const item = find.item(line.origin_inventory_id);
        return {
          origin_inventory: item ? inventoryView(item) : null,
          quantity_shipped: line.quantity_shipped ?? null,
          quantity_received: line.quantity_received ?? null,
        };
      }),
    };
  },
};

const assemblyOrders: DocumentKind = {
  name: 'assemblyOrders',
  type: 'AssemblyOrder',
  idParam: 'orderId',
  linkPath: 'assembly-orders',
  dateField: 'date_order_assembled',
  refRequired: true,
  lines: { key: 'items', fields: { assembly_id: 'inventory' } },
  references: { warehouse_id: 'warehouse', market: 'market' },
  idFilters: { warehouses: ['warehouse_id'] },
  body({ fields, find, pick, lines }) {
    return {
      ...pick('ref_number', 'date_order_assembled', 'market'),
      warehouse: find.warehouse(fields.warehouse_id),
      items: lines('items').map((line) => {
        const item = find.item(line.assembly_id);
        return {
          assembly_id: line.assembly_id,
          assembly_sku: item?.sku ?? null,
          assembly_name: item ? `${item.name} bundle` : null,
          assembly_description: item ? `Assembled from ${item.sku} and its packaging.` : null,
          quantity: line.quantity,
        };
      }),
    };
  },
};

const adjustments: DocumentKind = {
  name: 'adjustments',
  type: 'Adjustment',
  idParam: 'adjustmentId',
  linkPath: 'adjustments',
  dateField: 'date',
  refRequired: true,
  lines: { key: 'details', fields: { inventory_id: 'inventory', service_id: 'service' } },
  references: { warehouse_id: 'warehouse', market: 'market', currency: 'currency' },
  idFilters: { warehouses: ['warehouse_id'] },
  body({ fields, find, pick, lines }) {
    return {
      ...pick('ref_number', 'reason'),
      transaction_date: fields.date ?? null,
      ...pick('market'),
      amount: linesTotal(fields.details, 'rate'),
      ...pick('currency'),
      warehouse: find.warehouse(fields.warehouse_id),
      details: lines('details').map((line) =>
        productServiceLine(find, line, round2((line.quantity as number) * (line.rate as number))),
      ),
    };
  },
};

export const DOCUMENT_KINDS: readonly DocumentKind[] = [
  inventoryOrders,
  bills,
  invoices,
  shipments,
  assemblyOrders,
  adjustments,
];

/** The kind whose `type` a bill's linked document or a payment request names. */
export function documentKindOfType(type: unknown): DocumentKind | undefined {
  return DOCUMENT_KINDS.find((kind) => kind.type === type);
}

/** The record as the API returns it (without `payment_requests`, which handlers.ts adds). */
export function documentView(ctx: ApiContext, kind: DocumentKind, company: CompanyRecord, record: DocumentRecord) {
  const { fields } = record;
  const body = kind.body({
    ctx,
    record,
    fields,
    find: related(ctx, company),
    pick: (...names) => Object.fromEntries(names.map((name) => [name, fields[name] ?? null])),
    lines: (key) => (Array.isArray(fields[key]) ? (fields[key] as Line[]) : []),
  });
  return { id: record.id, name: fields.name ?? null, link: link(ctx, kind, record), ...body };
}

/** The `DocumentResource` of a document: what bills and payment requests show of the documents they belong to. */
export function documentReference(ctx: ApiContext, kind: DocumentKind, id: number) {
  const record = ctx.state.documents[kind.name].get(id);
  if (!record) return { id, type: kind.type };
  return {
    id,
    type: kind.type,
    link: link(ctx, kind, record),
    status: 'Open',
    completed: null,
    ref_number: (record.fields.ref_number as string | undefined) ?? null,
    date: (record.fields[kind.dateField] as string | undefined) ?? null,
  };
}
