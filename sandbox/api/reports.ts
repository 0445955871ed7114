/** listReports: NeonPanel's report catalogue with links into the sandbox. */

import type { ApiHandler } from './context.js';

const REPORTS = [
  ['Sales by Product', 'Sales', 'Units, revenue and margin per product.', ['StartDate', 'EndDate', 'CountryCode']],
  ['Sales by Marketplace', 'Sales', 'Revenue per marketplace and month.', ['StartDate', 'EndDate']],
  ['Inventory Valuation', 'Inventory', 'Value of stock on hand at landed cost.', ['BalancesDate', 'WarehouseUuid']],
  ['Inventory Aging', 'Inventory', 'Stock on hand by age bucket.', ['BalancesDate']],
  ['Restock Planner', 'Inventory', 'Suggested reorder quantities from sales velocity.', ['CountryCode']],
  ['COGS Journal', 'Accounting', 'Cost of goods sold entries by document.', ['StartDate', 'EndDate']],
  ['Landed Cost Breakdown', 'Accounting', 'Purchase, freight, duty and fees per batch.', ['StartDate', 'EndDate']],
  ['Profit and Loss', 'Accounting', 'Revenue, COGS and fees by period.', ['StartDate', 'EndDate', 'Periodicity']],
] as const;

export const listReports: ApiHandler = (ctx) => ({
  body: {
    count: REPORTS.length,
    data: REPORTS.map(([title, group, description, filters]) => ({
      title,
      group,
      description,
      query_filters: [...filters],
      link: `${ctx.publicUrl}/reports/${title.toLowerCase().replace(/\s+/g, '-')}`,
    })),
  },
});
