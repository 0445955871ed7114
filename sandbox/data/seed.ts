/**
 * Builds the sandbox's deterministic data set: companies in two countries, warehouses, a few hundred
 * inventory items per company and two years of invoices. Same seed, same data, on every machine.
 */

import { createRandom, type Random } from '../random.js';
import { addDays, toDayNumber } from './dates.js';
import type {
  CompanyRecord,
  InventoryRecord,
  InvoiceLine,
  InvoiceRecord,
  SandboxData,
  SandboxUser,
  WarehouseRecord,
} from './model.js';

/** Sales run over these two full years, so yearly, quarterly and monthly answers all differ. */
const FIRST_SALE_DATE = '2024-01-01';
const LAST_SALE_DATE = '2025-12-31';

interface CompanySpec {
  name: string;
  skuPrefix: string;
  currency: string;
  timezone: string;
  marketplaces: string[];
}

const COMPANY_SPECS: readonly CompanySpec[] = [
  {
    name: 'Acme Outdoor Inc.',
    skuPrefix: 'ACM',
    currency: 'USD',
    timezone: 'America/New_York',
    marketplaces: ['US', 'CA'],
  },
  {
    name: 'Rheinland Haus GmbH',
    skuPrefix: 'RHH',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    marketplaces: ['DE', 'FR'],
  },
  {
    name: 'Northwind Gadgets LLC',
    skuPrefix: 'NWG',
    currency: 'USD',
    timezone: 'America/Los_Angeles',
    marketplaces: ['US', 'GB'],
  },
  { name: 'Contoso Trading Ltd', skuPrefix: 'CTL', currency: 'GBP', timezone: 'Europe/London', marketplaces: ['GB'] },
];

/** Which companies (by index in COMPANY_SPECS) each demo user sees; the last company belongs to nobody. */
const USER_SPECS = [
  { id: 'alice', name: 'Alice Anderson', email: 'alice@example.com', companies: [0, 1] },
  { id: 'bob', name: 'Bob Brown', email: 'bob@example.com', companies: [2] },
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

function buildItems(random: Random, company: CompanyRecord, spec: CompanySpec, firstId: number): InventoryRecord[] {
  const count = random.int(260, 340);
  return Array.from({ length: count }, (_, index) => {
    const [productCode, product] = random.pick(PRODUCT_WORDS.products);
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
    };
  });
}

function buildWarehouses(random: Random, company: CompanyRecord, items: readonly InventoryRecord[]): WarehouseRecord[] {
  const home = company.marketplaces[0] ?? null;
  const fba = company.marketplaces.map((country) => ({
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
      uuid: random.uuid(),
      companyUuid: company.uuid,
      name: `Main 3PL ${home ?? ''}`.trim(),
      type: 'Asset',
      countryCode: home,
      itemIds: items.map((item) => item.id),
    },
    {
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
  for (const [index, spec] of COMPANY_SPECS.entries()) {
    const company: CompanyRecord = {
      uuid: random.uuid(),
      name: spec.name,
      currency: spec.currency,
      timezone: spec.timezone,
      marketplaces: spec.marketplaces,
    };
    const items = buildItems(random, company, spec, 1001 + index * 1000);
    companies.push(company);
    inventory.push(...items);
    warehouses.push(...buildWarehouses(random, company, items));
    invoices.push(...buildInvoices(random, company, items, nextInvoiceId));
  }
  invoices.sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id);
  const users: Record<string, SandboxUser> = {};
  for (const spec of USER_SPECS) {
    users[spec.id] = {
      id: spec.id,
      name: spec.name,
      email: spec.email,
      companyUuids: spec.companies.map((index) => companies[index]?.uuid ?? ''),
    };
  }
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
  };
}
