/** NeonPanel's JSON shapes for the seeded records, pagination, and the per-user access rule. */

import type { CompanyRecord, InventoryRecord, WarehouseRecord } from '../data/model.js';
import type { ApiCall, ApiContext } from './context.js';
import { ApiError } from './errors.js';

export function companyView(company: CompanyRecord) {
  return {
    id: company.id,
    uuid: company.uuid,
    name: company.name,
    short_name: company.shortName,
    currency: company.currency,
    timezone: company.timezone,
  };
}

export function warehouseView(warehouse: WarehouseRecord) {
  return { uuid: warehouse.uuid, name: warehouse.name, type: warehouse.type, country_code: warehouse.countryCode };
}

/** A warehouse as documents show it: with the numeric id their payloads take as `warehouse_id`. */
export function warehouseResource(warehouse: WarehouseRecord) {
  return { id: warehouse.id, ...warehouseView(warehouse) };
}

export function inventoryView(item: InventoryRecord) {
  return {
    id: item.id,
    name: item.name,
    fnsku: item.fnsku,
    asin: item.asin,
    sku: item.sku,
    image: item.image,
    country_code: item.countryCode,
    weight: item.weight,
    length: item.length,
    height: item.height,
    depth: item.depth,
  };
}

/** A NeonPanel document (invoice, purchase order, bill, batch) with a link into the sandbox. */
export function documentView(ctx: ApiContext, type: string, refNumber: string, date: string) {
  return {
    type,
    link: `${ctx.publicUrl}/documents/${encodeURIComponent(type.toLowerCase().replace(/\s+/g, '-'))}/${encodeURIComponent(refNumber)}`,
    status: 'Completed',
    completed: `${date}T15:30:00Z`,
    ref_number: refNumber,
    date,
  };
}

/** One page of `items` with NeonPanel's pagination fields. */
export function paginate<T>(items: readonly T[], page: number, perPage: number) {
  return {
    current_page: page,
    per_page: perPage,
    last_page: Math.max(1, Math.ceil(items.length / perPage)),
    data: items.slice((page - 1) * perPage, page * perPage),
  };
}

/** The company the caller asked for: 404 when it does not exist, 403 when the caller may not see it. */
export function accessibleCompany(ctx: ApiContext, call: ApiCall, uuid: string): CompanyRecord {
  const company = ctx.data.companyByUuid.get(uuid);
  if (!company) throw new ApiError(404, `Company ${uuid} not found.`);
  if (!call.user.companyUuids.includes(uuid)) {
    throw new ApiError(403, `This action is unauthorized: you do not have access to company ${uuid}.`);
  }
  return company;
}

/**
 * `record` when it exists and belongs to `company`; otherwise 404 with `message`, so another company's
 * record answers exactly as a missing one does.
 */
export function ownedRecord<T extends { companyUuid: string }>(
  company: CompanyRecord,
  record: T | undefined,
  message: string,
): T {
  if (!record || record.companyUuid !== company.uuid) throw new ApiError(404, message);
  return record;
}

export function companyWarehouse(ctx: ApiContext, company: CompanyRecord, uuid: string): WarehouseRecord {
  const warehouse = ctx.data.warehouseByUuid.get(uuid);
  return ownedRecord(company, warehouse, `Warehouse ${uuid} not found in company ${company.uuid}.`);
}

export function companyItem(ctx: ApiContext, company: CompanyRecord, id: number): InventoryRecord {
  return ownedRecord(company, ctx.state.items.get(id), `Inventory item ${id} not found in company ${company.uuid}.`);
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
