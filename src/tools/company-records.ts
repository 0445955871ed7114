import type { UpstreamFailure } from '../upstream/index.js';
import type { OperationInvoker } from './invoker.js';
import type { ToolContext } from './types.js';

/**
 * The records of a company a person looks up by number or name, beyond warehouses and items: its
 * documents (by their reference number), vendors and products. `search` finds them and `fetch` reads
 * them, both through the API operations below with the caller's token, and only where the
 * deployment serves those operations.
 */

/** How a kind is listed and read. A kind without `read` is read by finding its row in the listing. */
interface CompanyRecordKind {
  /** The operation that lists the kind; it filters by the API's `search` parameter. */
  list: string;
  read?: { operationId: string; idParameter: string };
  /** Whether `list` filters by an `id` parameter (how a kind without `read` is read). */
  filtersById?: boolean;
  /** What a person calls one (`Bill`), for titles. */
  label: string;
}

/** A document collection: listed by `<collection>.list` and read by `<collection>.read` with its id parameter. */
function documentKind(collection: string, idParameter: string, label: string): CompanyRecordKind {
  return { list: `${collection}.list`, read: { operationId: `${collection}.read`, idParameter }, label };
}

export const COMPANY_RECORD_KINDS = {
  bill: documentKind('bills', 'billId', 'Bill'),
  invoice: documentKind('invoices', 'invoiceId', 'Invoice'),
  'inventory-order': documentKind('inventoryOrders', 'orderId', 'Inventory order'),
  shipment: documentKind('shipments', 'shipmentId', 'Shipment'),
  'assembly-order': documentKind('assemblyOrders', 'orderId', 'Assembly order'),
  adjustment: documentKind('adjustments', 'adjustmentId', 'Adjustment'),
  vendor: { list: 'vendors.list', label: 'Vendor' },
  product: { list: 'getProducts', filtersById: true, label: 'Product' },
} satisfies Record<string, CompanyRecordKind>;

export type CompanyRecordKindName = keyof typeof COMPANY_RECORD_KINDS;

export function isCompanyRecordKind(kind: string): kind is CompanyRecordKindName {
  return Object.hasOwn(COMPANY_RECORD_KINDS, kind);
}

/** One row of any of these kinds, as far as titles and links need it. */
export type CompanyRecordRow = Record<string, unknown> & { id: number };

/** The kinds the deployment can search and read (their operations are served). */
export function servedKinds(invoker: OperationInvoker): CompanyRecordKindName[] {
  return (Object.keys(COMPANY_RECORD_KINDS) as CompanyRecordKindName[]).filter((kind) => {
    const spec: CompanyRecordKind = COMPANY_RECORD_KINDS[kind];
    return invoker.has(spec.list) && (!spec.read || invoker.has(spec.read.operationId));
  });
}

function rowsOf(body: unknown): CompanyRecordRow[] {
  const data = (body as { data?: unknown } | undefined)?.data;
  return Array.isArray(data)
    ? data.filter((row): row is CompanyRecordRow => typeof (row as { id?: unknown })?.id === 'number')
    : [];
}

function named(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  const name = (value as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
}

/** `Bill REF-BILL-001 (Acme Supply, 2024-03-15)`: the label, the number or name, and what tells rows apart. */
export function recordTitle(kind: CompanyRecordKindName, row: CompanyRecordRow): string {
  const spec = COMPANY_RECORD_KINDS[kind];
  const number = named(row['ref_number']) ?? named(row['name']) ?? named(row['sku']) ?? `#${row.id}`;
  const date = ['date', 'transaction_date', 'date_order_placed', 'date_shipment_sent', 'date_order_assembled']
    .map((key) => named(row[key]))
    .find(Boolean);
  const party = named(row['vendor']) ?? named(row['customer']) ?? (kind === 'product' ? named(row['name']) : undefined);
  const extra = [party !== number ? party : undefined, date].filter(Boolean).join(', ');
  return `${spec.label} ${number}${extra ? ` (${extra})` : ''}`;
}

/** The rows of a kind in a company that match `query`. */
export async function findRecords(
  invoker: OperationInvoker,
  kind: CompanyRecordKindName,
  companyUuid: string,
  query: string,
  ctx: ToolContext,
): Promise<CompanyRecordRow[] | UpstreamFailure> {
  const outcome = await invoker.invoke(COMPANY_RECORD_KINDS[kind].list, { companyUuid, search: query }, ctx);
  return outcome.ok ? rowsOf(outcome.body) : outcome;
}

/** One record by its id: read directly where the API can, else found in its listing (`row` absent: none). */
export async function readRecord(
  invoker: OperationInvoker,
  kind: CompanyRecordKindName,
  companyUuid: string,
  id: number,
  ctx: ToolContext,
): Promise<{ ok: true; row?: CompanyRecordRow } | UpstreamFailure> {
  const spec: CompanyRecordKind = COMPANY_RECORD_KINDS[kind];
  if (spec.read) {
    const outcome = await invoker.invoke(spec.read.operationId, { companyUuid, [spec.read.idParameter]: id }, ctx);
    if (!outcome.ok) return outcome.kind === 'not_found' ? { ok: true } : outcome;
    const body = outcome.body as Record<string, unknown> | undefined;
    const record = (typeof body?.['data'] === 'object' && body['data'] !== null ? body['data'] : body) as
      | CompanyRecordRow
      | undefined;
    return record && typeof record.id === 'number' ? { ok: true, row: record } : { ok: true };
  }
  const outcome = await invoker.invoke(spec.list, spec.filtersById ? { companyUuid, id } : { companyUuid }, ctx);
  if (!outcome.ok) return outcome;
  const row = rowsOf(outcome.body).find((candidate) => candidate.id === id);
  return row ? { ok: true, row } : { ok: true };
}
