/** Records of the sandbox's seeded data set (internal shapes; the API maps them to NeonPanel's JSON). */

export interface CompanyRecord {
  uuid: string;
  name: string;
  currency: string;
  timezone: string;
  /** Marketplaces the company sells in (ISO country codes). */
  marketplaces: readonly string[];
}

export interface WarehouseRecord {
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
}

/** "1 company", "2 companies": how many companies a user may see, for the pages and banners that list users. */
export function companyCount(user: SandboxUser): string {
  const count = user.companyUuids.length;
  return `${count} ${count === 1 ? 'company' : 'companies'}`;
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
}
