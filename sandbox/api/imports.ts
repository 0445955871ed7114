/** getImportInstructions, createDocuments, createDocumentsByPdf, checkImportProcessing. */

import { isIsoDate, today } from '../data/dates.js';
import type { ApiCall, ApiContext, ApiHandler, ApiResult } from './context.js';
import { ApiError, validationError } from './errors.js';
import type { CreatedDocument, ImportRequest } from './imports-store.js';
import { findFilePart } from './multipart.js';
import { accessibleCompany, documentView } from './views.js';

const BILL_ATTRIBUTES = {
  vendor: 'Vendor (supplier) name as printed on the bill.',
  ref_number: 'Bill number; must be unique per vendor.',
  date: 'Bill date, YYYY-MM-DD.',
  due_date: 'Payment due date, YYYY-MM-DD (optional).',
  currency: 'ISO 4217 currency code; defaults to the company currency.',
  items: 'Line items: array of { sku, quantity, unit_price, description? }.',
};
const BILL_GENERAL =
  'Create one bill per document. Amounts are numbers without currency symbols. Each line item needs a SKU that ' +
  'exists in the company inventory. Upload a PDF instead when you only have the scanned bill.';

export const getImportInstructions: ApiHandler = (_ctx, call) => {
  if (call.req.accepts(['application/json', 'text/plain']) === 'text/plain') {
    const lines = Object.entries(BILL_ATTRIBUTES).map(([name, description]) => `- ${name}: ${description}`);
    return { body: `Import type: bill\n\n${BILL_GENERAL}\n\nAttributes:\n${lines.join('\n')}\n` };
  }
  return { body: { attributes: BILL_ATTRIBUTES, general: BILL_GENERAL } };
};

function requestBody(call: ApiCall): Buffer {
  return Buffer.isBuffer(call.req.body) ? call.req.body : Buffer.alloc(0);
}

function parseJson(call: ApiCall): unknown {
  try {
    return JSON.parse(requestBody(call).toString('utf8'));
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON.');
  }
}

function billDocuments(data: Record<string, unknown>): CreatedDocument[] {
  const errors: Record<string, string[]> = {};
  if (data.date !== undefined && (typeof data.date !== 'string' || !isIsoDate(data.date))) {
    errors['data.date'] = ['The data.date field must be a valid date in the format YYYY-MM-DD.'];
  }
  if (data.items !== undefined && !Array.isArray(data.items))
    errors['data.items'] = ['The data.items field must be an array.'];
  if (data.ref_number !== undefined && typeof data.ref_number !== 'string') {
    errors['data.ref_number'] = ['The data.ref_number field must be a string.'];
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  const refNumber =
    typeof data.ref_number === 'string' ? data.ref_number : `BILL-${Date.now().toString(36).toUpperCase()}`;
  return [{ type: 'Bill', refNumber, date: typeof data.date === 'string' ? data.date : today() }];
}

function importView(ctx: ApiContext, request: ImportRequest) {
  const status = ctx.imports.status(request);
  return {
    request_id: request.requestId,
    status,
    documents:
      status === 'done' ? request.documents.map((doc) => documentView(ctx, doc.type, doc.refNumber, doc.date)) : [],
  };
}

/** The import's own id is the X-Request-Id when the caller sent none (as NeonPanel's document describes). */
function importHeaders(call: ApiCall, request: ImportRequest, extra: Record<string, string> = {}) {
  return { ...extra, ...(call.req.get('x-request-id') ? {} : { 'X-Request-Id': request.requestId }) };
}

export const createDocuments: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  if (!call.req.is('application/json')) throw new ApiError(415, 'Unsupported Media Type: send application/json.');
  const body = parseJson(call);
  const data = (body as { data?: unknown } | null)?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw validationError({ data: ['The data field is required and must be an object.'] });
  }
  const request = ctx.imports.create(
    company.uuid,
    call.params.type as string,
    billDocuments(data as Record<string, unknown>),
  );
  return { body: importView(ctx, request), headers: importHeaders(call, request) };
};

const PDF_MAGIC = Buffer.from('%PDF-');

function checkPdf(content: Buffer): void {
  if (!content.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
    throw new ApiError(400, 'The file is broken: it is not a PDF (it must start with %PDF-).');
  }
}

/** The uploaded file's name, from whichever of the three forms the document allows. */
function uploadedFileName(call: ApiCall): string {
  const body = requestBody(call);
  if (call.req.is('application/pdf')) {
    const filename = call.req.query.filename;
    if (typeof filename !== 'string' || filename === '') {
      throw validationError({ filename: ['The filename query parameter is required for application/pdf uploads.'] });
    }
    checkPdf(body);
    return filename;
  }
  if (call.req.is('multipart/form-data')) {
    const part = findFilePart(body, call.req.get('content-type') ?? '', 'file');
    if (!part) throw validationError({ file: ['The file field is required (a multipart part named "file").'] });
    checkPdf(part.content);
    return part.filename || 'upload.pdf';
  }
  if (call.req.is('application/json')) {
    const file = (parseJson(call) as { file?: { name?: unknown; link?: unknown } } | null)?.file;
    const errors: Record<string, string[]> = {};
    if (typeof file?.name !== 'string' || file.name === '') errors['file.name'] = ['The file.name field is required.'];
    const link = file?.link;
    if (typeof link !== 'string' || !/^https?:$/.test(URL.canParse(link) ? new URL(link).protocol : '')) {
      errors['file.link'] = ['The file.link field must be an http(s) URL.'];
    }
    if (Object.keys(errors).length > 0) throw validationError(errors);
    return file?.name as string;
  }
  throw new ApiError(
    415,
    'Unsupported Media Type: send application/pdf (with ?filename=), multipart/form-data or application/json.',
  );
}

export const createDocumentsByPdf: ApiHandler = (ctx, call): ApiResult => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const filename = uploadedFileName(call);
  const refNumber = filename.replace(/\.pdf$/i, '').slice(0, 40) || 'upload';
  const request = ctx.imports.create(company.uuid, call.params.type as string, [
    { type: 'Bill', refNumber, date: today() },
  ]);
  return {
    status: 202,
    body: { request_id: request.requestId, status: ctx.imports.status(request) },
    headers: importHeaders(call, request, { 'Retry-After': String(ctx.imports.secondsLeft(request)) }),
  };
};

export const checkImportProcessing: ApiHandler = (ctx, call): ApiResult => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const requestId = call.params.requestId as string;
  const request = ctx.imports.get(requestId);
  if (!request || request.companyUuid !== company.uuid || request.type !== call.params.type) {
    throw new ApiError(404, `Import request ${requestId} not found for company ${company.uuid}.`);
  }
  const view = importView(ctx, request);
  if (view.status === 'done') return { body: view, headers: importHeaders(call, request) };
  return {
    status: 202,
    body: { request_id: view.request_id, status: view.status },
    headers: importHeaders(call, request, { 'Retry-After': String(ctx.imports.secondsLeft(request)) }),
  };
};
