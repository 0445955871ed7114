/** The permissions NeonPanel defines (in its `verb:area` naming) and which of them the API's operations need. */

const AREAS = [
  'pages.processes.inventory-orders',
  'pages.processes.bills-and-expenses',
  'pages.processes.invoices',
  'pages.processes.shipments',
  'pages.processes.assembly-orders',
  'pages.processes.adjustments',
  'pages.processes.payment-requests',
  'pages.inventory',
  'pages.reports',
  'settings.forecasts',
] as const;

/** Every permission, `view:` and `edit:` per area. */
export const ALL_PERMISSIONS: readonly string[] = AREAS.flatMap((area) => [`view:${area}`, `edit:${area}`]);

/** Reading the reports: listReports shows and getReportData opens reports only to users who hold it. */
export const REPORTS_PERMISSION = 'view:pages.reports';

/** The `view:` permissions but the reports: a user who may look at documents but not change them or open reports. */
export const VIEW_PERMISSIONS: readonly string[] = ALL_PERMISSIONS.filter(
  (name) => name.startsWith('view:') && name !== REPORTS_PERMISSION,
);
