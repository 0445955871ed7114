/** listCompanies, listWarehouses, warehouseBalances. */

import { today } from '../data/dates.js';
import type { ApiHandler } from './context.js';
import { balanceOf } from './stock.js';
import { accessibleCompany, companyView, companyWarehouse, inventoryView, paginate, warehouseView } from './views.js';

export const listCompanies: ApiHandler = (ctx, call) => {
  const companies = call.user.companyUuids.flatMap((uuid) => ctx.data.companyByUuid.get(uuid) ?? []);
  const page = paginate(companies, call.params.page as number, call.params.per_page as number);
  return { body: { ...page, data: page.data.map(companyView) } };
};

export const listWarehouses: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const search = (call.params.search as string | undefined)?.toLowerCase();
  const warehouses = ctx.data.warehouses.filter(
    (warehouse) => warehouse.companyUuid === company.uuid && (!search || warehouse.name.toLowerCase().includes(search)),
  );
  const page = paginate(warehouses, call.params.page as number, call.params.per_page as number);
  return { body: { ...page, data: page.data.map(warehouseView) } };
};

export const warehouseBalances: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const warehouse = companyWarehouse(ctx, company, call.params.warehouseUuid as string);
  const date = (call.params.balances_date as string | undefined) ?? today();
  const items = warehouse.itemIds.flatMap((id) => ctx.state.items.get(id) ?? []);
  const page = paginate(items, call.params.page as number, call.params.per_page as number);
  return {
    body: {
      ...page,
      balances_date: date,
      data: page.data.map((item) => ({ inventory: inventoryView(item), balance: balanceOf(item, warehouse, date) })),
    },
  };
};
