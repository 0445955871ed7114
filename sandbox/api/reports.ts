/** listReports and getReportData: NeonPanel's report catalogue with links into the sandbox, and each report's sheets. */

import { REPORTS_PERMISSION } from '../data/permissions.js';
import type { ApiContext, ApiHandler } from './context.js';
import { ApiError } from './errors.js';

type ParameterType = 'Dropdown' | 'TextField' | 'DateTimePicker' | 'DateTimeRangePicker';

/** Report parameters by slug: their title and input type. */
const PARAMETERS: Record<string, { title: string; type: ParameterType; multiselect: boolean }> = {
  'date-range': { title: 'Date range', type: 'DateTimeRangePicker', multiselect: false },
  'balances-date': { title: 'Balances date', type: 'DateTimePicker', multiselect: false },
  'country-code': { title: 'Marketplace', type: 'Dropdown', multiselect: true },
  warehouse: { title: 'Warehouse', type: 'Dropdown', multiselect: true },
  periodicity: { title: 'Periodicity', type: 'Dropdown', multiselect: false },
  sku: { title: 'SKU', type: 'TextField', multiselect: false },
};

const REPORTS = [
  [101, 'Sales by Product', 'Sales', 'Units, revenue and margin per product.', ['date-range', 'country-code', 'sku']],
  [102, 'Sales by Marketplace', 'Sales', 'Revenue per marketplace and month.', ['date-range']],
  [201, 'Inventory Valuation', 'Inventory', 'Value of stock on hand at landed cost.', ['balances-date', 'warehouse']],
  [202, 'Inventory Aging', 'Inventory', 'Stock on hand by age bucket.', ['balances-date']],
  [203, 'Restock Planner', 'Inventory', 'Suggested reorder quantities from sales velocity.', ['country-code']],
  [301, 'COGS Journal', 'Accounting', 'Cost of goods sold entries by document.', ['date-range']],
  [302, 'Landed Cost Breakdown', 'Accounting', 'Purchase, freight, duty and fees per batch.', ['date-range']],
  [303, 'Profit and Loss', 'Accounting', 'Revenue, COGS and fees by period.', ['date-range', 'periodicity']],
] as const;

type Report = (typeof REPORTS)[number];

function reportItem(ctx: ApiContext, [id, title, group, description]: Report) {
  const slug = title.toLowerCase().replace(/\s+/g, '-');
  return { id, title, group, description, link: `${ctx.publicUrl}/app/reports/${slug}` };
}

export const listReports: ApiHandler = (ctx, call) => {
  const reports = call.user.permissions.includes(REPORTS_PERMISSION) ? REPORTS : [];
  return { body: { count: reports.length, data: reports.map((report) => reportItem(ctx, report)) } };
};

export const getReportData: ApiHandler = (ctx, call) => {
  const id = call.params.reportId as number;
  const report = REPORTS.find(([reportId]) => reportId === id);
  if (!report) throw new ApiError(404, `Report ${id} not found.`);
  const parameters = report[4].map((slug) => ({ slug, ...PARAMETERS[slug] }));
  return {
    body: {
      ...reportItem(ctx, report),
      sheets: [
        { slug: 'summary', title: 'Summary', description: `${report[3]} One row per period.`, parameters },
        { slug: 'transaction-list', title: 'Transaction list', description: null, parameters },
      ],
    },
  };
};
