/**
 * Permissions: the three operations that list them, and which permission each operation needs.
 * A user without it gets 403 with a message naming the permission, as NeonPanel answers a
 * company or resource the user is not permitted for.
 */

import { ALL_PERMISSIONS } from '../data/permissions.js';
import type { ApiHandler } from './context.js';
import { ApiError } from './errors.js';
import type { OperationSpec } from './spec.js';
import { accessibleCompany, companyView } from './views.js';

/** The area of each document collection's operations (`bills.create` → bills-and-expenses). */
const DOCUMENT_AREAS: Record<string, string> = {
  inventoryOrders: 'pages.processes.inventory-orders',
  bills: 'pages.processes.bills-and-expenses',
  invoices: 'pages.processes.invoices',
  shipments: 'pages.processes.shipments',
  assemblyOrders: 'pages.processes.assembly-orders',
  adjustments: 'pages.processes.adjustments',
  paymentRequests: 'pages.processes.payment-requests',
};

/** Areas of the other operations that need a permission. */
const OPERATION_AREAS: Record<string, string> = {
  createInventoryItem: 'pages.inventory',
  updateInventoryItem: 'pages.inventory',
  deleteInventoryItem: 'pages.inventory',
  createProduct: 'pages.inventory',
  updateProduct: 'pages.inventory',
  deleteProduct: 'pages.inventory',
  syncListing: 'pages.inventory',
  createDocuments: 'pages.processes.bills-and-expenses',
  createDocumentsByPdf: 'pages.processes.bills-and-expenses',
  updateCompanyForecastingSettings: 'settings.forecasts',
  getReportData: 'pages.reports',
};

/** The permission an operation needs (`view:` to read, `edit:` to change), if any. */
function requiredPermission(operation: OperationSpec): string | undefined {
  const area = DOCUMENT_AREAS[operation.operationId.split('.')[0] ?? ''] ?? OPERATION_AREAS[operation.operationId];
  if (!area) return undefined;
  return `${operation.method === 'GET' ? 'view' : 'edit'}:${area}`;
}

/** Throws the 403 when the user lacks the operation's permission. */
export function checkPermission(operation: OperationSpec, permissions: readonly string[]): void {
  const needed = requiredPermission(operation);
  if (needed && !permissions.includes(needed)) {
    throw new ApiError(403, `This action is unauthorized: you do not have the "${needed}" permission.`);
  }
}

export const listPermissions: ApiHandler = () => ({ body: { permissions: ALL_PERMISSIONS } });

export const listPermissionsByCompany: ApiHandler = (ctx, call) => {
  accessibleCompany(ctx, call, call.params.companyUuid as string);
  return { body: { permissions: call.user.permissions } };
};

export const listCompaniesWithPermission: ApiHandler = (ctx, call) => {
  const requested = call.params.company_uuids as string[] | undefined;
  const uuids = (requested ?? call.user.companyUuids).filter((uuid) => call.user.companyUuids.includes(uuid));
  const holds = call.user.permissions.includes(call.params.permission as string);
  const companies = holds ? uuids.flatMap((uuid) => ctx.data.companyByUuid.get(uuid) ?? []) : [];
  return {
    body: {
      filters: { company_uuids: requested ?? [...call.user.companyUuids] },
      companies: companies.map(companyView),
    },
  };
};
