/**
 * Builds the sandbox's deterministic data set: companies in two countries, warehouses, a few hundred
 * inventory items per company and two years of invoices. Same seed, same data, on every machine.
 */

import { createRandom, type Random } from '../random.js';
import { buildCatalog, type CompanyCatalog, SALES_CHANNELS } from './catalog-seed.js';
import { addDays, toDayNumber } from './dates.js';
import { buildAllDocuments } from './documents-seed.js';
import type {
  CompanyRecord,
  InventoryRecord,
  InvoiceLine,
  InvoiceRecord,
  SandboxData,
  SandboxUser,
  WarehouseRecord,
} from './model.js';
import { SYSTEM_PAYMENT_TERMS } from './payment-terms.js';
import { ALL_PERMISSIONS, VIEW_PERMISSIONS } from './permissions.js';

/** Sales run over these two full years, so yearly, quarterly and monthly answers all differ. */
const FIRST_SALE_DATE = '2024-01-01';
const LAST_SALE_DATE = '2025-12-31';

interface CompanySpec {
  id: number;
  name: string;
  skuPrefix: string;
  currency: string;
  timezone: string;
  marketplaces: string[];
}

const COMPANY_SPECS: readonly CompanySpec[] = [
  {
    id: 106,
    name: 'Acme Outdoor Inc.',
    skuPrefix: 'ACM',
    currency: 'USD',
    timezone: 'America/New_York',
    marketplaces: ['US', 'CA'],
  },
  {
    id: 296,
    name: 'Rheinland Haus GmbH',
    skuPrefix: 'RHH',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    marketplaces: ['DE', 'FR'],
  },
  {
    id: 318,
    name: 'Northwind Gadgets LLC',
    skuPrefix: 'NWG',
    currency: 'USD',
    timezone: 'America/Los_Angeles',
    marketplaces: ['US', 'GB'],
  },
  {
    id: 421,
    name: 'Contoso Trading Ltd',
    skuPrefix: 'CTL',
    currency: 'GBP',
    timezone: 'Europe/London',
    marketplaces: ['GB'],
  },
];

/** Documents dated before this day are closed (400 on create or change). */
const ENTRY_LOCKED_DATE = '2024-01-01';

/**
 * Which companies (by index in COMPANY_SPECS) each demo user sees, and with which permissions; the last
 * company belongs to nobody. vera shares alice's first company but may only look.
 */
const USER_SPECS = [
  { id: 'alice', name: 'Alice Anderson', email: 'alice@example.com', companies: [0, 1], permissions: ALL_PERMISSIONS },
  { id: 'bob', name: 'Bob Brown', email: 'bob@example.com', companies: [2], permissions: ALL_PERMISSIONS },
  { id: 'vera', name: 'Vera Vance', email: 'vera@example.com', companies: [0], permissions: VIEW_PERMISSIONS },
] as const;

const PRODUCT_WORDS = {
  adjectives: ['Trail', 'Compact', 'Classic', 'Ultra', 'Eco', 'Pro', 'Smart', 'Rugged', 'Mini', 'Deluxe', 'Nordic'],
  products: [
    ['BOT', 'Water Bottle'],
    ['LMP', 'Desk Lamp'],
    ['BAG', 'Backpack'],
    ['MUG', 'Travel Mug'],
    ['CBL', 'USB-C Cable'],
    ['TNT', 'Tent'],
    ['KNF', 'Kitchen Knife'],
    ['PAN', 'Frying Pan'],
    ['CHG', 'Wall Charger'],
    ['TWL', 'Bath Towel'],
    ['SPK', 'Bluetooth Speaker'],
    ['MAT', 'Yoga Mat'],
  ],
  variants: ['Black', 'White', 'Olive', 'Navy', 'Sand', 'Red', '500ml', '750ml', '1L', 'Large', 'Small'],
} as const;

const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

function code(random: Random, length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[random.int(0, ALPHANUMERIC.length - 1)]).join('');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A product per product word a company sells: its id, SKU and name. */
function productOf(companyIndex: number, productIndex: number, spec: CompanySpec) {
  const [productCode, product] = PRODUCT_WORDS.products[productIndex] ?? ['GEN', 'Product'];
  return { id: 3001 + companyIndex * 100 + productIndex, sku: `${spec.skuPrefix}-${productCode}`, name: product };
}

/** Listing ids sit in a range of their own above the item ids. */
const LISTING_ID_OFFSET = 70_000;

function buildItems(
  random: Random,
  company: CompanyRecord,
  spec: CompanySpec,
  firstId: number,
  companyIndex: number,
): InventoryRecord[] {
  const count = random.int(260, 340);
  return Array.from({ length: count }, (_, index) => {
    const entry = random.pick(PRODUCT_WORDS.products);
    const [productCode, product] = entry;
    const asin = `B0${code(random, 8)}`;
    const unitCost = round2(random.int(150, 4500) / 100);
    return {
      id: firstId + index,
      companyUuid: company.uuid,
      name: `${random.pick(PRODUCT_WORDS.adjectives)} ${product} ${random.pick(PRODUCT_WORDS.variants)}`,
      fnsku: `X00${code(random, 7)}`,
      asin,
      sku: `${spec.skuPrefix}-${productCode}-${String(index + 1).padStart(4, '0')}`,
      image: random.chance(0.8) ? `https://m.media-amazon.com/images/I/${asin}.jpg` : null,
      countryCode: random.pick(company.marketplaces),
      weight: round2(random.int(5, 400) / 10),
      length: round2(random.int(20, 300) / 10),
      height: round2(random.int(10, 200) / 10),
      depth: round2(random.int(10, 200) / 10),
      unitCost,
      unitPrice: round2(unitCost * (1.8 + random.next() * 1.7)),
      productId: productOf(companyIndex, PRODUCT_WORDS.products.indexOf(entry), spec).id,
      listingId: LISTING_ID_OFFSET + firstId + index,
    };
  });
}

function buildWarehouses(
  random: Random,
  company: CompanyRecord,
  items: readonly InventoryRecord[],
  firstId: number,
): WarehouseRecord[] {
  const home = company.marketplaces[0] ?? null;
  const fba = company.marketplaces.map((country, n) => ({
    id: firstId + n,
    uuid: random.uuid(),
    companyUuid: company.uuid,
    name: `Amazon FBA ${country}`,
    type: 'Amazon FBA',
    countryCode: country,
    itemIds: items.filter((item) => item.countryCode === country).map((item) => item.id),
  }));
  return [
    ...fba,
    {
      id: firstId + fba.length,
      uuid: random.uuid(),
      companyUuid: company.uuid,
      name: `Main 3PL ${home ?? ''}`.trim(),
      type: 'Asset',
      countryCode: home,
      itemIds: items.map((item) => item.id),
    },
    {
      id: firstId + fba.length + 1,
      uuid: random.uuid(),
      companyUuid: company.uuid,
      name: 'Inbound In Transit',
      type: null,
      countryCode: null,
      itemIds: items.filter((_, index) => index % 5 === 0).map((item) => item.id),
    },
  ];
}

/** Chance of an invoice on a day: grows year over year and peaks in Q4, so periods differ. */
function dailyInvoiceChance(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return 0.4 + 0.15 * (year - 2024) + (month >= 10 ? 0.2 : 0) + (month <= 2 ? -0.1 : 0);
}

function buildInvoices(
  random: Random,
  company: CompanyRecord,
  items: readonly InventoryRecord[],
  nextId: () => number,
): InvoiceRecord[] {
  const invoices: InvoiceRecord[] = [];
  const days = toDayNumber(LAST_SALE_DATE) - toDayNumber(FIRST_SALE_DATE) + 1;
  const pools = new Map(
    company.marketplaces.map((country) => {
      const sellable = items.filter((item) => item.countryCode === country);
      return [country, sellable.length > 0 ? sellable : items];
    }),
  );
  for (let offset = 0; offset < days; offset++) {
    const date = addDays(FIRST_SALE_DATE, offset);
    for (const country of company.marketplaces) {
      if (!random.chance(dailyInvoiceChance(date))) continue;
      const pool = pools.get(country) ?? items;
      const lines: InvoiceLine[] = Array.from({ length: random.int(1, 4) }, () => {
        const item = random.pick(pool);
        const quantity = random.int(1, 12);
        return {
          itemId: item.id,
          quantity,
          revenue: round2(quantity * item.unitPrice * (0.9 + random.next() * 0.15)),
          cogs: round2(quantity * item.unitCost),
        };
      });
      const id = nextId();
      invoices.push({
        id,
        refNumber: `INV-${date.slice(0, 4)}-${id}`,
        companyUuid: company.uuid,
        countryCode: country,
        date,
        lines,
      });
    }
  }
  return invoices;
}

const built = new Map<number, SandboxData>();

/**
 * The data set for `seed`. It is read-only, so sandboxes in one process share it; building takes a few
 * tens of milliseconds the first time.
 */
export function sandboxData(seed: number): SandboxData {
  let data = built.get(seed);
  if (!data) {
    data = buildSandboxData(seed);
    built.set(seed, data);
  }
  return data;
}

function buildSandboxData(seed: number): SandboxData {
  const random = createRandom(seed);
  let invoiceId = 500_000;
  const nextInvoiceId = () => ++invoiceId;
  const companies: CompanyRecord[] = [];
  const warehouses: WarehouseRecord[] = [];
  const inventory: InventoryRecord[] = [];
  const invoices: InvoiceRecord[] = [];
  const catalogs: CompanyCatalog[] = [];
  for (const [index, spec] of COMPANY_SPECS.entries()) {
    const company: CompanyRecord = {
      id: spec.id,
      uuid: random.uuid(),
      name: spec.name,
      shortName: spec.skuPrefix,
      entryLockedDate: ENTRY_LOCKED_DATE,
      currency: spec.currency,
      timezone: spec.timezone,
      marketplaces: spec.marketplaces,
    };
    const items = buildItems(random, company, spec, 1001 + index * 1000, index);
    companies.push(company);
    inventory.push(...items);
    warehouses.push(...buildWarehouses(random, company, items, 101 + index * 10));
    invoices.push(...buildInvoices(random, company, items, nextInvoiceId));
    const products = new Map(
      [...new Set(items.map((item) => item.productId))].map((id) => {
        const product = productOf(index, id - 3001 - index * 100, spec);
        return [id, { sku: product.sku, name: product.name }];
      }),
    );
    catalogs.push(buildCatalog(seed, index, company, items, products));
  }
  invoices.sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id);
  const users: Record<string, SandboxUser> = {};
  for (const [index, spec] of USER_SPECS.entries()) {
    users[spec.id] = {
      id: spec.id,
      name: spec.name,
      email: spec.email,
      companyUuids: spec.companies.map((company) => companies[company]?.uuid ?? ''),
      number: index + 1,
      permissions: spec.permissions,
    };
  }
  const { documents, paymentRequests } = buildAllDocuments(seed, companies, warehouses, inventory, invoices, catalogs);
  return {
    firstSaleDate: FIRST_SALE_DATE,
    lastSaleDate: LAST_SALE_DATE,
    companies,
    warehouses,
    inventory,
    invoices,
    users,
    companyByUuid: new Map(companies.map((company) => [company.uuid, company])),
    warehouseByUuid: new Map(warehouses.map((warehouse) => [warehouse.uuid, warehouse])),
    itemById: new Map(inventory.map((item) => [item.id, item])),
    vendors: catalogs.flatMap((catalog) => catalog.vendors),
    services: catalogs.flatMap((catalog) => catalog.services),
    customers: catalogs.flatMap((catalog) => catalog.customers),
    paymentTerms: [...SYSTEM_PAYMENT_TERMS, ...catalogs.flatMap((catalog) => catalog.paymentTerms)],
    salesChannels: SALES_CHANNELS,
    products: catalogs.flatMap((catalog) => catalog.products),
    listings: catalogs.flatMap((catalog) => catalog.listings),
    documents,
    paymentRequests,
  };
}
