/**
 * The API under `/api/v1`: request ids, the request log, the bearer check, parameter validation from the
 * document, then the operation's handler. Every answer is JSON in NeonPanel's shapes.
 */

import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import type { SandboxData, SandboxUser } from '../data/model.js';
import type { KeyStore } from '../keys.js';
import { type RequestLog, writeKey } from '../request-log.js';
import { bearerVerifier } from './auth.js';
import { bodyValidator } from './body.js';
import { listPaymentTerms, listSalesChannels, listServices, listVendors } from './catalog.js';
import { listCompanies, listWarehouses, warehouseBalances } from './companies.js';
import { type ApiCall, type ApiContext, type ApiHandler, salesIndex } from './context.js';
import { listInventoryCogs, listInventoryLandedCosts } from './costs.js';
import { documentHandlers } from './documents/handlers.js';
import { ApiError } from './errors.js';
import { checkImportProcessing, createDocuments, createDocumentsByPdf, getImportInstructions } from './imports.js';
import { ImportStore } from './imports-store.js';
import { inventoryBalances, listInventoryItems } from './inventory.js';
import { createInventoryItem, deleteInventoryItem, getInventoryItemFullData, updateInventoryItem } from './items.js';
import { validateParams } from './params.js';
import {
  checkPermission,
  listCompaniesWithPermission,
  listPermissions,
  listPermissionsByCompany,
} from './permissions.js';
import { createProduct, deleteProduct, getListings, getProducts, syncListing, updateProduct } from './products.js';
import { getReportData, listReports } from './reports.js';
import { revenueAndCogsSummary } from './revenue.js';
import { getCompanyForecastingSettings, updateCompanyForecastingSettings } from './settings.js';
import { loadApiDocument, matchOperation, type OperationSpec } from './spec.js';
import { SandboxState } from './state.js';

const HANDLERS: Record<string, ApiHandler> = {
  listCompanies,
  listPermissions,
  listCompaniesWithPermission,
  listPermissionsByCompany,
  listReports,
  getReportData,
  revenueAndCogsSummary,
  listWarehouses,
  warehouseBalances,
  listInventoryItems,
  createInventoryItem,
  getInventoryItemFullData,
  updateInventoryItem,
  deleteInventoryItem,
  inventoryBalances,
  listInventoryLandedCosts,
  listInventoryCogs,
  getProducts,
  createProduct,
  updateProduct,
  deleteProduct,
  getListings,
  syncListing,
  getImportInstructions,
  createDocuments,
  getCompanyForecastingSettings,
  updateCompanyForecastingSettings,
  createDocumentsByPdf,
  checkImportProcessing,
  'vendors.list': listVendors,
  'services.list': listServices,
  'paymentTerms.list': listPaymentTerms,
  'salesChannels.list': listSalesChannels,
  ...documentHandlers(),
};

/** An unsupported import `type` is 404 on the read routes and 400 on the writes, as the document says. */
const IMPORT_TYPE_STATUS: Record<string, number> = {
  getImportInstructions: 404,
  checkImportProcessing: 404,
  createDocuments: 400,
  createDocumentsByPdf: 400,
};

const MAX_UPLOAD = '20mb';

export interface ApiDeps {
  operations: readonly OperationSpec[];
  data: SandboxData;
  users: Readonly<Record<string, SandboxUser>>;
  keys: KeyStore;
  issuer: string;
  publicUrl: string;
  importDelayMs: number;
  requestLog: RequestLog;
}

function send(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status).set(headers);
  if (status === 204) res.end();
  else if (typeof body === 'string') res.type('text/plain').send(body);
  else res.json(body);
}

function rawPathAndQuery(req: Request): { path: string; query: string } {
  const at = req.originalUrl.indexOf('?');
  return at < 0
    ? { path: req.originalUrl, query: '' }
    : { path: req.originalUrl.slice(0, at), query: req.originalUrl.slice(at + 1) };
}

/** Records each API request in the log once its response is over (or its connection gone). */
function logRequests(log: RequestLog, operations: readonly OperationSpec[]): express.RequestHandler {
  return (req, res, next) => {
    const inbound = req.get('x-request-id');
    const requestId = inbound && inbound.length <= 200 ? inbound : randomUUID();
    res.locals.requestId = requestId;
    res.set('X-Request-Id', requestId);
    const { path, query } = rawPathAndQuery(req);
    res.on('close', () => {
      log.record({
        at: Date.now(),
        method: req.method,
        path,
        query,
        requestId,
        operationId: matchOperation(operations, req.method, path).operation?.operationId,
        user: res.locals.user as string | undefined,
        status: res.writableFinished ? res.statusCode : 0,
        fault: res.locals.fault as string | undefined,
      });
    });
    next();
  };
}

/** The `/api` router, and the operationId of a path for the fault rules. */
export function apiRouter(deps: ApiDeps): { router: Router; logRequests: express.RequestHandler } {
  const unserved = deps.operations.filter((operation) => !HANDLERS[operation.operationId]);
  if (unserved.length > 0) {
    throw new Error(`sandbox: no handler for ${unserved.map((operation) => operation.operationId).join(', ')}`);
  }
  const verify = bearerVerifier(deps.keys, deps.issuer);
  const bodies = bodyValidator(loadApiDocument());
  const ctx: ApiContext = {
    data: deps.data,
    state: new SandboxState(deps.data),
    publicUrl: deps.publicUrl,
    imports: new ImportStore(deps.importDelayMs),
    salesOfItem: salesIndex(deps.data),
  };
  const nobody = (sub: string): SandboxUser => ({
    id: sub,
    name: sub,
    email: '',
    companyUuids: [],
    number: 0,
    permissions: [],
  });
  const router = Router();
  router.use(express.raw({ type: () => true, limit: MAX_UPLOAD }));
  router.use(async (req, res) => {
    const { path, query } = rawPathAndQuery(req);
    try {
      const match = matchOperation(deps.operations, req.method, path);
      if (!match.operation || !match.pathParams) {
        throw new ApiError(match.pathMatched ? 405 : 404, match.pathMatched ? 'Method not allowed.' : 'Not found.');
      }
      const operation = match.operation;
      const sub = await verify(req.get('authorization'));
      res.locals.user = sub;
      const params = validateImportType(operation, () =>
        validateRouteParams(operation, () =>
          validateParams(operation, match.pathParams ?? {}, new URLSearchParams(query)),
        ),
      );
      const user = deps.users[sub] ?? nobody(sub);
      checkPermission(operation, user.permissions);
      if (operation.method !== 'GET') {
        deps.requestLog.recordWrite(
          writeKey({
            idempotencyKey: req.get('idempotency-key'),
            inboundRequestId: req.get('x-request-id'),
            method: req.method,
            path,
            body: Buffer.isBuffer(req.body) ? req.body : '',
          }),
        );
      }
      const handler = HANDLERS[operation.operationId] as ApiHandler;
      const call: ApiCall = {
        params,
        user,
        req,
        requestId: res.locals.requestId as string,
        body: (fallbackSchema) => bodies.parse(operation, call, fallbackSchema),
      };
      const result = await handler(ctx, call);
      send(res, result.status ?? 200, result.body, result.headers);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      send(res, error.status, error.body(), error.headers);
    }
  });
  return { router, logRequests: logRequests(deps.requestLog, deps.operations) };
}

/**
 * Runs the parameter check; where the document answers a malformed route parameter with 400 (the
 * document reads), a failure that only concerns path parameters is that 400.
 */
function validateRouteParams<T>(operation: OperationSpec, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ApiError) || !error.errors || !operation.statuses.includes('400')) throw error;
    const fields = Object.keys(error.errors);
    const pathParams = new Set(operation.pathParamNames);
    if (fields.every((field) => pathParams.has(field))) {
      throw new ApiError(400, `A required route parameter is missing or malformed: ${error.message}`);
    }
    throw error;
  }
}

/** Runs the parameter check, turning a bad import `type` into the status the document gives it. */
function validateImportType<T>(operation: OperationSpec, check: () => T): T {
  try {
    return check();
  } catch (error) {
    const status = IMPORT_TYPE_STATUS[operation.operationId];
    if (status && error instanceof ApiError && error.errors?.type && Object.keys(error.errors).length === 1) {
      throw new ApiError(status, 'Unsupported document type; supported types: bill.');
    }
    throw error;
  }
}
