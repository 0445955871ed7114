/**
 * The catalog around a company's items: vendors, services, customers, its own payment term, products and
 * listings. Drawn from a stream of its own per company, so the older parts of the seed stay as they were.
 */

import { createRandom, hashSeed } from '../random.js';
import type {
  CompanyRecord,
  CustomerRecord,
  InventoryRecord,
  ListingRecord,
  PaymentTermRecord,
  ProductRecord,
  SalesChannelRecord,
  ServiceRecord,
  VendorRecord,
} from './model.js';

/** Platform-wide: the one list that is not scoped to a company. */
export const SALES_CHANNELS: readonly SalesChannelRecord[] = [
  { id: 1, name: 'Amazon' },
  { id: 2, name: 'Shopify' },
  { id: 3, name: 'TikTok Shop' },
  { id: 4, name: 'Wholesale' },
];

const VENDOR_NAMES = [
  'Shenzhen Bright Manufacturing Co.',
  'Ningbo Outdoor Goods Ltd.',
  'Atlas Freight Forwarding',
  'Harbor Customs Brokers',
  'PrepMaster Logistics',
];

/** Services bills, invoices and adjustments reference as `service_id`, with their group. */
const SERVICES: ReadonlyArray<[string, string | null]> = [
  ['Product Sales', 'Sales'],
  ['Shipping Income', 'Sales'],
  ['Freight Forwarding', 'Logistics'],
  ['Customs Duty', 'Logistics'],
  ['Prep Fee', 'Logistics'],
  ['Warehouse Storage', 'Logistics'],
  ['Inventory Write-off', 'Inventory'],
  ['Consulting', null],
];

export interface CompanyCatalog {
  vendors: VendorRecord[];
  services: ServiceRecord[];
  customers: CustomerRecord[];
  paymentTerms: PaymentTermRecord[];
  products: ProductRecord[];
  listings: ListingRecord[];
}

/** The catalog of the company at `index` (ids in per-company ranges, so they never collide). */
export function buildCatalog(
  seed: number,
  index: number,
  company: CompanyRecord,
  items: readonly InventoryRecord[],
  productNames: ReadonlyMap<number, { sku: string; name: string }>,
): CompanyCatalog {
  const random = createRandom(hashSeed(seed, 'catalog', index));
  const paymentTermId = 11 + index;
  const vendors = VENDOR_NAMES.map((name, n) => ({
    id: 701 + index * 100 + n,
    companyUuid: company.uuid,
    name,
    code: name.slice(0, 4).toUpperCase(),
    bkId: n % 2 === 0 ? `xero-contact-${random.int(10000, 99999)}` : null,
    bkType: n % 2 === 0 ? 'xero' : null,
    paymentTermId: n === 0 ? 2 : n === 1 ? paymentTermId : null,
  }));
  const services = SERVICES.map(([name, group], n) => ({
    id: 5501 + index * 100 + n,
    companyUuid: company.uuid,
    name,
    group,
  }));
  const customers = ['Amazon Customer', 'Retail Partner One', 'Walk-in Customer'].map((name, n) => ({
    id: 8801 + index * 100 + n,
    companyUuid: company.uuid,
    name,
    code: `CUS-${n + 1}`,
  }));
  const paymentTerms: PaymentTermRecord[] = [
    {
      id: paymentTermId,
      companyUuid: company.uuid,
      document: 'Bill',
      name: '50/50 Net 60',
      schema: [
        { date_anchor: 'document_date', days_offset: 0, percentage: 50 },
        { date_anchor: 'document_date', days_offset: 60, percentage: 50 },
      ],
    },
  ];
  const products = [...productNames].map(([id, product]) => {
    const sample = items.find((item) => item.productId === id);
    return {
      id,
      companyUuid: company.uuid,
      sku: product.sku,
      parentSku: product.sku.split('-').slice(0, 2).join('-'),
      name: product.name,
      image: `https://images.example.com/products/${id}.jpg`,
      weight: sample?.weight ?? 1,
      length: sample?.length ?? 1,
      height: sample?.height ?? 1,
      depth: sample?.depth ?? 1,
    };
  });
  const listings = items.map((item) => ({
    id: item.listingId,
    companyUuid: company.uuid,
    asin: item.asin,
    parentAsin: `B0P${item.productId}`,
    title: item.name,
    brand: company.name.split(' ')[0] ?? company.name,
    color: item.name.split(' ').at(-1) ?? '',
    image: item.image ?? `https://m.media-amazon.com/images/I/${item.asin}.jpg`,
    bulletPoints: item.id % 3 === 0 ? null : { en_US: [`${item.name}.`, 'Ships from the nearest warehouse.'] },
  }));
  return { vendors, services, customers, paymentTerms, products, listings };
}
