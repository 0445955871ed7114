/** listInventoryItems, inventoryBalances (an item's restock data and stock per warehouse). */

import { today } from '../data/dates.js';
import type { InventoryRecord } from '../data/model.js';
import type { ApiHandler } from './context.js';
import { balanceOf } from './stock.js';
import { accessibleCompany, companyItem, inventoryView, paginate, round2, warehouseView } from './views.js';

const FILTERS = ['country_code', 'search', 'fnsku', 'asin', 'sku'] as const;

function matches(item: InventoryRecord, filters: Partial<Record<(typeof FILTERS)[number], string>>): boolean {
  if (filters.country_code && item.countryCode !== filters.country_code.toUpperCase()) return false;
  if (filters.fnsku && item.fnsku !== filters.fnsku) return false;
  if (filters.asin && item.asin !== filters.asin) return false;
  if (filters.sku && item.sku !== filters.sku) return false;
  const search = filters.search?.toLowerCase();
  if (search) {
    const haystack = [item.sku, item.asin, item.fnsku, String(item.id), item.name].map((value) => value.toLowerCase());
    if (!haystack.some((value) => value.includes(search))) return false;
  }
  return true;
}

export const listInventoryItems: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const filters: Partial<Record<(typeof FILTERS)[number], string>> = {};
  for (const name of FILTERS) {
    const value = call.params[name];
    if (typeof value === 'string') filters[name] = value;
  }
  const items = ctx.state.companyItems(company.uuid).filter((item) => matches(item, filters));
  const page = paginate(items, call.params.page as number, call.params.per_page as number);
  return { body: { ...page, filters, data: page.data.map(inventoryView) } };
};

/** The restock recommendation NeonPanel derives for an item (before any values set on the item). */
export function restockData(item: InventoryRecord): Record<string, number> {
  const dailySales = round2(1 + (item.id % 17) / 2);
  return {
    daily_sales_target: round2(dailySales * 1.2),
    unit_vendor_price: round2(item.unitCost * 0.7),
    unit_landed_cost: item.unitCost,
    estimated_daily_sales: dailySales,
    estimated_price: item.unitPrice,
    lead_time_days: 30 + (item.id % 4) * 7,
    safety_stock_days: 14,
    fba_lead_time_days: 10,
    fba_safety_stock_days: 7,
    target_fba_fee: round2(3 + item.weight * 0.1),
    target_price: round2(item.unitPrice * 1.05),
    target_referral_percentage: 15,
    daily_unit_sales_target: Math.ceil(dailySales * 1.2),
  };
}

export const inventoryBalances: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const item = companyItem(ctx, company, call.params.inventoryId as number);
  const date = (call.params.balances_date as string | undefined) ?? today();
  return {
    body: {
      inventory: inventoryView(item),
      restock_data: { ...restockData(item), ...ctx.state.itemExtras.get(item.id)?.restock },
      balances_data: {
        balances_date: date,
        balances_list: ctx.data.warehouses
          .filter((warehouse) => warehouse.companyUuid === company.uuid && warehouse.itemIds.includes(item.id))
          .map((warehouse) => ({ warehouse: warehouseView(warehouse), balance: balanceOf(item, warehouse, date) })),
      },
    },
  };
};
