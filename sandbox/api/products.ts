/** Products (list, create, update, delete) and listings (list, sync from Amazon). */

import type { CompanyRecord, ListingRecord, ProductRecord } from '../data/model.js';
import type { ApiCall, ApiContext, ApiHandler } from './context.js';
import { pageParams } from './params.js';
import { accessibleCompany, ownedRecord, paginate } from './views.js';

export function productView(product: ProductRecord) {
  return {
    id: product.id,
    sku: product.sku,
    parent_sku: product.parentSku,
    name: product.name,
    image: product.image,
    weight: product.weight,
    length: product.length,
    height: product.height,
    depth: product.depth,
  };
}

export function listingView(listing: ListingRecord) {
  return {
    id: listing.id,
    asin: listing.asin,
    parent_asin: listing.parentAsin,
    title: listing.title,
    brand: listing.brand,
    color: listing.color,
    image: listing.image,
    bullet_points: listing.bulletPoints,
  };
}

/**
 * A company's products or listings, filtered and paginated. The document puts the filters in a JSON body
 * of a GET (which most HTTP clients cannot send), so they are read from the body when there is one, else
 * from the query string.
 */
function filteredList<T extends { companyUuid: string }>(
  recordsOf: (ctx: ApiContext) => Iterable<T>,
  names: readonly string[],
  matches: (record: T, filters: Record<string, string | undefined>) => boolean,
  view: (record: T) => unknown,
): ApiHandler {
  return (ctx, call) => {
    const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
    const body = call.body();
    const filters = Object.fromEntries(
      names.map((name) => {
        const value = body[name] ?? call.req.query[name];
        return [name, value === undefined || value === '' ? undefined : String(value)];
      }),
    );
    const { page, perPage } = pageParams(call, 30);
    const records = [...recordsOf(ctx)].filter(
      (record) => record.companyUuid === company.uuid && matches(record, filters),
    );
    const result = paginate(records, page, perPage);
    return { body: { ...result, data: result.data.map(view) } };
  };
}

const includes = (texts: readonly string[], search: string | undefined) =>
  !search || texts.some((text) => text.toLowerCase().includes(search.toLowerCase()));

export const getProducts = filteredList(
  (ctx) => ctx.state.products.values(),
  ['id', 'sku', 'search'],
  (product, { id, sku, search }) =>
    (!id || String(product.id) === id) &&
    (!sku || product.sku === sku) &&
    includes([product.sku, product.name, product.parentSku], search),
  productView,
);

/** The document gives the product endpoints no body schema; this is the Product schema's writable part. */
const PRODUCT_BODY = {
  type: 'object',
  properties: {
    sku: { type: 'string', minLength: 1, maxLength: 64 },
    parent_sku: { type: 'string', maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    image: { type: 'string', format: 'uri' },
    weight: { type: 'number', minimum: 0 },
    length: { type: 'number', minimum: 0 },
    height: { type: 'number', minimum: 0 },
    depth: { type: 'number', minimum: 0 },
  },
};

function productFields(body: Record<string, unknown>): Partial<ProductRecord> {
  const fields: Partial<ProductRecord> = {};
  const copy = <K extends keyof ProductRecord>(key: K, from: string) => {
    if (body[from] !== undefined) fields[key] = body[from] as ProductRecord[K];
  };
  copy('sku', 'sku');
  copy('parentSku', 'parent_sku');
  copy('name', 'name');
  copy('image', 'image');
  copy('weight', 'weight');
  copy('length', 'length');
  copy('height', 'height');
  copy('depth', 'depth');
  return fields;
}

export const createProduct: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const body = call.body({ ...PRODUCT_BODY, required: ['sku', 'name'] });
  const fields = productFields(body);
  const id = ctx.state.nextProductId();
  const product: ProductRecord = {
    id,
    companyUuid: company.uuid,
    sku: fields.sku as string,
    parentSku: fields.parentSku ?? (fields.sku as string),
    name: fields.name as string,
    image: fields.image ?? `https://images.example.com/products/${id}.jpg`,
    weight: fields.weight ?? 0,
    length: fields.length ?? 0,
    height: fields.height ?? 0,
    depth: fields.depth ?? 0,
  };
  ctx.state.products.set(id, product);
  return { body: productView(product) };
};

function companyProduct(ctx: ApiContext, call: ApiCall, company: CompanyRecord): ProductRecord {
  const id = call.params.productId as number;
  return ownedRecord(company, ctx.state.products.get(id), `Product ${id} is not found in company ${company.uuid}.`);
}

export const updateProduct: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const product = companyProduct(ctx, call, company);
  const updated = { ...product, ...productFields(call.body(PRODUCT_BODY)) };
  ctx.state.products.set(product.id, updated);
  return { body: productView(updated) };
};

export const deleteProduct: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const product = companyProduct(ctx, call, company);
  ctx.state.products.delete(product.id);
  return { status: 204, body: undefined };
};

export const getListings = filteredList(
  (ctx) => ctx.state.listings.values(),
  ['id', 'asin', 'search'],
  (listing, { id, asin, search }) =>
    (!id || String(listing.id) === id) &&
    (!asin || listing.asin === asin) &&
    includes([listing.asin, listing.title], search),
  listingView,
);

/** Stands in for the fetch from Amazon: the stored listing gets Amazon's current bullet points. */
export const syncListing: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const id = call.params.listingId as number;
  const listing = ownedRecord(
    company,
    ctx.state.listings.get(id),
    `Listing ${id} is not found in company ${company.uuid}.`,
  );
  const synced: ListingRecord = {
    ...listing,
    bulletPoints: { en_US: [`${listing.title}.`, 'Ships from the nearest warehouse.', 'Synced from Amazon.'] },
  };
  ctx.state.listings.set(id, synced);
  return { body: listingView(synced) };
};
