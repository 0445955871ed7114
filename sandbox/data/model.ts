/** Records of the sandbox's seeded data set (internal shapes; the API maps them to NeonPanel's JSON). */

export interface CompanyRecord {
  /** Numeric id: what report URLs take as `company`; the API's paths take the `uuid`. */
  id: number;
  uuid: string;
  name: string;
  shortName: string;
  /** Documents dated before this day cannot be created or changed (400). */
  entryLockedDate: string;
  currency: string;
  timezone: string;
  /** Marketplaces the company sells in (ISO country codes). */
  marketplaces: readonly string[];
}

export interface WarehouseRecord {
  /** Numeric id: what document payloads take as `warehouse_id`. */
  id: number;
  uuid: string;
  companyUuid: string;
  name: string;
  type: string | null;
  countryCode: string | null;
  /** Ids of the inventory items this warehouse stocks. */
  itemIds: readonly number[];
}

export interface InventoryRecord {
  id: number;
  companyUuid: string;
  name: string;
  fnsku: string;
  asin: string;
  sku: string;
  image: string | null;
  countryCode: string;
  weight: number;
  length: number;
  height: number;
  depth: number;
  /** Landed cost per unit and sale price per unit, in the company currency. */
  unitCost: number;
  unitPrice: number;
  /** The product that groups this item, and the item's marketplace listing. */
  productId: number;
  listingId: number;
}

export interface InvoiceLine {
  itemId: number;
  quantity: number;
  revenue: number;
  cogs: number;
}

export interface InvoiceRecord {
  id: number;
  refNumber: string;
  companyUuid: string;
  countryCode: string;
  /** YYYY-MM-DD */
  date: string;
  lines: readonly InvoiceLine[];
}

/** A demo user who can log in on the consent page. */
export interface SandboxUser {
  id: string;
  name: string;
  email: string;
  /** Companies this user may see; any other company answers 403. */
  companyUuids: readonly string[];
  /** Numeric user id (an inventory item's `manager`). */
  number: number;
  /** Permissions the user holds in each of their companies (`view:…`, `edit:…`). */
  permissions: readonly string[];
}

/** "1 company", "2 companies": how many companies a user may see, for the pages and banners that list users. */
export function companyCount(user: SandboxUser): string {
  const count = user.companyUuids.length;
  return `${count} ${count === 1 ? 'company' : 'companies'}`;
}

/** Vendors, services, customers and payment terms: what document lines and headers reference. */
export interface VendorRecord {
  id: number;
  companyUuid: string;
  name: string;
  code: string;
  bkId: string | null;
  bkType: string | null;
  paymentTermId: number | null;
}

export interface ServiceRecord {
  id: number;
  companyUuid: string;
  name: string;
  group: string | null;
}

export interface CustomerRecord {
  id: number;
  companyUuid: string;
  name: string;
  code: string;
}

export interface PaymentTermRecord {
  id: number;
  /** null for system terms shared by every company. */
  companyUuid: string | null;
  document: string | null;
  name: string;
  schema: ReadonlyArray<{ date_anchor: string; days_offset: number; percentage: number }>;
}

export interface SalesChannelRecord {
  id: number;
  name: string;
}

export interface ProductRecord {
  id: number;
  companyUuid: string;
  sku: string;
  parentSku: string;
  name: string;
  image: string;
  weight: number;
  length: number;
  height: number;
  depth: number;
}

export interface ListingRecord {
  id: number;
  companyUuid: string;
  asin: string;
  parentAsin: string;
  title: string;
  brand: string;
  color: string;
  image: string;
  bulletPoints: Record<string, string[]> | null;
}

/** The document collections the API serves with list/create/read/update. */
export type DocumentKindName =
  | 'inventoryOrders'
  | 'bills'
  | 'invoices'
  | 'shipments'
  | 'assemblyOrders'
  | 'adjustments';

/**
 * A document as stored: its payload fields (ids, not resolved objects), the way the API's create
 * and update bodies send them, plus the fields only the server sets.
 */
export interface DocumentRecord {
  id: number;
  companyUuid: string;
  /** Payload fields (`ref_number`, `date`, `vendor_id`, `details` …). */
  fields: Record<string, unknown>;
  /** Invoices: where it came from (`manual` may be changed); shipments: `Manual` or an Amazon source. */
  source?: string;
}

/** An installment generated from a payment term for a bill or an inventory order. */
export interface PaymentRequestRecord {
  id: number;
  companyUuid: string;
  document: { kind: 'bills' | 'inventoryOrders'; id: number };
  amount_due: number;
  paid_amount: number | null;
  due_date: string;
  payment_date: string | null;
  currency: string;
  description: string;
  classification: string;
  transaction_number: string | null;
  memo: string | null;
}

/** The whole seeded data set with its lookup indexes. */
export interface SandboxData {
  /** First and last day with sales (YYYY-MM-DD). */
  firstSaleDate: string;
  lastSaleDate: string;
  companies: readonly CompanyRecord[];
  warehouses: readonly WarehouseRecord[];
  inventory: readonly InventoryRecord[];
  /** Sorted by date. */
  invoices: readonly InvoiceRecord[];
  users: Readonly<Record<string, SandboxUser>>;
  companyByUuid: ReadonlyMap<string, CompanyRecord>;
  warehouseByUuid: ReadonlyMap<string, WarehouseRecord>;
  itemById: ReadonlyMap<number, InventoryRecord>;
  vendors: readonly VendorRecord[];
  services: readonly ServiceRecord[];
  customers: readonly CustomerRecord[];
  paymentTerms: readonly PaymentTermRecord[];
  salesChannels: readonly SalesChannelRecord[];
  products: readonly ProductRecord[];
  listings: readonly ListingRecord[];
  /** Seeded documents per collection (invoices: the manual ones; the sales above are served as synced invoices). */
  documents: Readonly<Record<DocumentKindName, readonly DocumentRecord[]>>;
  paymentRequests: readonly PaymentRequestRecord[];
}
