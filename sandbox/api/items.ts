/** Inventory items one at a time: create, full data, update, delete. */

import type { CompanyRecord, InventoryRecord, SandboxUser } from '../data/model.js';
import type { ApiContext, ApiHandler } from './context.js';
import { validationError } from './errors.js';
import { restockData } from './inventory.js';
import { listingView, productView } from './products.js';
import type { ItemExtras } from './state.js';
import { accessibleCompany, companyItem } from './views.js';

/** When the seeded items were created, for `created_at`. */
const SEEDED_AT = '2023-09-01T10:00:00.000Z';

function userView(user: SandboxUser) {
  return {
    id: user.number,
    name: user.name,
    email: user.email,
    avatar_url: `https://www.gravatar.com/avatar/${user.id}`,
    verified_at: '2023-01-15T09:00:00.000Z',
    last_login_at: '2026-01-05T08:30:00.000Z',
  };
}

function managers(ctx: ApiContext, company: CompanyRecord): SandboxUser[] {
  return Object.values(ctx.data.users).filter((user) => user.companyUuids.includes(company.uuid));
}

function extrasOf(ctx: ApiContext, company: CompanyRecord, item: InventoryRecord): ItemExtras {
  return (
    ctx.state.itemExtras.get(item.id) ?? {
      source: 'Amazon',
      variation: item.name.split(' ').at(-1) ?? '',
      managerNumber: managers(ctx, company)[0]?.number ?? 0,
      createdAt: SEEDED_AT,
    }
  );
}

function fullData(ctx: ApiContext, company: CompanyRecord, item: InventoryRecord) {
  const extras = extrasOf(ctx, company, item);
  const manager = managers(ctx, company).find((user) => user.number === extras.managerNumber);
  const product = ctx.state.products.get(item.productId);
  const listing = ctx.state.listings.get(item.listingId);
  return {
    id: item.id,
    country_code: item.countryCode,
    source: extras.source,
    fnsku: item.fnsku,
    variation: extras.variation,
    ...(manager ? { manager: userView(manager) } : {}),
    // A deleted product or listing leaves the item in place, with nothing to resolve.
    product: product ? productView(product) : {},
    listing: listing ? listingView(listing) : {},
    restock_data: { ...restockData(item), ...extras.restock },
    created_at: extras.createdAt,
  };
}

/** 422 for a product, listing or manager outside the company. */
function checkReferences(ctx: ApiContext, company: CompanyRecord, body: Record<string, unknown>): void {
  const errors: Record<string, string[]> = {};
  const product = body.product_id === undefined ? undefined : ctx.state.products.get(body.product_id as number);
  if (body.product_id !== undefined && product?.companyUuid !== company.uuid) {
    errors.product_id = ['The selected product_id is invalid.'];
  }
  const listing = body.listing_id === undefined ? undefined : ctx.state.listings.get(body.listing_id as number);
  if (body.listing_id !== undefined && listing?.companyUuid !== company.uuid) {
    errors.listing_id = ['The selected listing_id is invalid.'];
  }
  if (body.manager_id !== undefined && !managers(ctx, company).some((user) => user.number === body.manager_id)) {
    errors.manager_id = ['The selected manager_id is invalid.'];
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

function apply(ctx: ApiContext, company: CompanyRecord, item: InventoryRecord, body: Record<string, unknown>) {
  const previous = extrasOf(ctx, company, item);
  const updated: InventoryRecord = {
    ...item,
    countryCode: (body.country_code as string | undefined)?.toUpperCase() ?? item.countryCode,
    fnsku: (body.fnsku as string | undefined) ?? item.fnsku,
    productId: (body.product_id as number | undefined) ?? item.productId,
    listingId: (body.listing_id as number | undefined) ?? item.listingId,
  };
  ctx.state.items.set(item.id, updated);
  ctx.state.itemExtras.set(item.id, {
    source: (body.source as string | undefined) ?? previous.source,
    variation: (body.variation as string | undefined) ?? previous.variation,
    managerNumber: (body.manager_id as number | undefined) ?? previous.managerNumber,
    createdAt: previous.createdAt,
    restock: { ...previous.restock, ...(body.restock_data as Record<string, number> | undefined) },
  });
  return updated;
}

export const createInventoryItem: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const body = call.body();
  checkReferences(ctx, company, body);
  const id = ctx.state.nextItemId();
  const product = ctx.state.products.get(body.product_id as number);
  const listing = ctx.state.listings.get(body.listing_id as number);
  const item: InventoryRecord = {
    id,
    companyUuid: company.uuid,
    name: listing?.title ?? product?.name ?? `Item ${id}`,
    fnsku: `X00N${id}`,
    asin: listing?.asin ?? '',
    sku: product ? `${product.sku}-${id}` : `ITEM-${id}`,
    image: listing?.image ?? product?.image ?? null,
    countryCode: company.marketplaces[0] ?? 'US',
    weight: product?.weight ?? 0,
    length: product?.length ?? 0,
    height: product?.height ?? 0,
    depth: product?.depth ?? 0,
    unitCost: 0,
    unitPrice: 0,
    productId: product?.id ?? 0,
    listingId: listing?.id ?? 0,
  };
  ctx.state.itemExtras.set(id, {
    source: 'Manual',
    variation: '',
    managerNumber: call.user.number,
    createdAt: new Date().toISOString(),
  });
  return { body: fullData(ctx, company, apply(ctx, company, item, body)) };
};

export const getInventoryItemFullData: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  return { body: fullData(ctx, company, companyItem(ctx, company, call.params.inventoryId as number)) };
};

export const updateInventoryItem: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const item = companyItem(ctx, company, call.params.inventoryId as number);
  const body = call.body();
  checkReferences(ctx, company, body);
  return { body: fullData(ctx, company, apply(ctx, company, item, body)) };
};

export const deleteInventoryItem: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const item = companyItem(ctx, company, call.params.inventoryId as number);
  ctx.state.items.delete(item.id);
  ctx.state.itemExtras.delete(item.id);
  return { status: 204, body: undefined };
};
