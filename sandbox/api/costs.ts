/** listInventoryLandedCosts and listInventoryCogs: costs by batch, and cost of goods sold by invoice. */

import { today } from '../data/dates.js';
import type { InventoryRecord, WarehouseRecord } from '../data/model.js';
import type { ApiCall, ApiContext, ApiHandler } from './context.js';
import { validationError } from './errors.js';
import { type Batch, batchesOf, COST_TYPES } from './stock.js';
import {
  accessibleCompany,
  companyItem,
  companyView,
  companyWarehouse,
  documentView,
  inventoryView,
  paginate,
  round2,
  warehouseView,
} from './views.js';

/** start_date and end_date (default today), with end before start refused. */
export function period(call: ApiCall): { start: string; end: string } {
  const start = call.params.start_date as string;
  const end = (call.params.end_date as string | undefined) ?? today();
  if (end < start) {
    throw validationError({ end_date: ['The end_date field must be a date after or equal to start_date.'] });
  }
  return { start, end };
}

function costDetails(ctx: ApiContext, batch: Batch, quantity: number, currency: string, totalAmount: number) {
  return COST_TYPES.map((cost) => ({
    type: cost.type,
    document: documentView(ctx, cost.document, `${cost.prefix}-${batch.refNumber.slice(6)}`, batch.date),
    currency,
    amount: round2(totalAmount * cost.share),
    quantity,
  }));
}

export const listInventoryLandedCosts: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const item = companyItem(ctx, company, call.params.inventoryId as number);
  const warehouse = companyWarehouse(ctx, company, call.params.warehouse_uuid as string);
  const { start, end } = period(call);
  const batches = batchesOf(item, warehouse).filter((batch) => batch.date >= start && batch.date <= end);
  const items = batches.map((batch) => {
    const amount = round2(batch.unitCost * batch.quantity);
    return {
      batch: documentView(ctx, 'Batch', batch.refNumber, batch.date),
      currency: company.currency,
      amount,
      quantity: batch.quantity,
      details: costDetails(ctx, batch, batch.quantity, company.currency, amount),
    };
  });
  const page = paginate(items, call.params.page as number, call.params.per_page as number);
  return {
    body: {
      ...page,
      filters: { warehouse_uuid: warehouse.uuid, start_date: start, end_date: end },
      company: companyView(company),
      inventory: inventoryView(item),
      warehouse: warehouseView(warehouse),
      currency: company.currency,
      amount: round2(items.reduce((sum, entry) => sum + entry.amount, 0)),
      quantity: items.reduce((sum, entry) => sum + entry.quantity, 0),
      data: page.data,
    },
  };
};

/** The batch a sale was written off from: the last receipt before the sale in the item's first warehouse. */
function sourceBatch(ctx: ApiContext, item: InventoryRecord, date: string): Batch | undefined {
  const warehouse: WarehouseRecord | undefined = ctx.data.warehouses.find(
    (candidate) => candidate.companyUuid === item.companyUuid && candidate.itemIds.includes(item.id),
  );
  if (!warehouse) return undefined;
  return batchesOf(item, warehouse)
    .filter((batch) => batch.date <= date)
    .at(-1);
}

export const listInventoryCogs: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const item = companyItem(ctx, company, call.params.inventoryId as number);
  const { start, end } = period(call);
  const sales = ctx.salesOfItem(item).filter(({ invoice }) => invoice.date >= start && invoice.date <= end);
  const items = sales.map(({ invoice, line }) => {
    const batch = sourceBatch(ctx, item, invoice.date);
    const details = batch
      ? costDetails(ctx, batch, line.quantity, company.currency, line.cogs).map((detail) => ({
          ...detail,
          batch: documentView(ctx, 'Batch', batch.refNumber, batch.date),
        }))
      : [];
    return {
      document: documentView(ctx, 'Invoice', invoice.refNumber, invoice.date),
      currency: company.currency,
      amount: line.cogs,
      quantity: line.quantity,
      details,
    };
  });
  const amount = round2(items.reduce((sum, entry) => sum + entry.amount, 0));
  // Every seventh item has some stock written off as lost, so lost_amount is not always zero.
  const lostAmount = item.id % 7 === 0 ? round2(amount * 0.02) : 0;
  const page = paginate(items, call.params.page as number, call.params.per_page as number);
  return {
    body: {
      current_page: page.current_page,
      per_page: page.per_page,
      last_page: page.last_page,
      filters: { start_date: start, end_date: end },
      company: companyView(company),
      inventory: inventoryView(item),
      currency: company.currency,
      amount,
      lost_amount: lostAmount,
      total_amount: round2(amount + lostAmount),
      quantity: items.reduce((sum, entry) => sum + entry.quantity, 0),
      details: page.data,
    },
  };
};
