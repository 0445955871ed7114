/**
 * list / create / read / update for every document collection (configured in kinds.ts), and the
 * payment requests generated for bills and inventory orders.
 */

import { linesTotal } from '../../data/documents-seed.js';
import type { CompanyRecord, DocumentRecord, PaymentRequestRecord, PaymentTermRecord } from '../../data/model.js';
import { installments } from '../../data/payment-terms.js';
import type { ApiCall, ApiContext, ApiHandler } from '../context.js';
import { ApiError, validationError } from '../errors.js';
import { pageParams } from '../params.js';
import { accessibleCompany, ownedRecord, paginate } from '../views.js';
import { DOCUMENT_KINDS, type DocumentKind, documentKindOfType, documentReference, documentView } from './kinds.js';
import { lookup, unknownReferences } from './relations.js';

type Fields = Record<string, unknown>;

/** NeonPanel's page size for every document collection when the caller sends no `per_page`. */
const DOCUMENTS_PER_PAGE = 15;

function view(ctx: ApiContext, kind: DocumentKind, company: CompanyRecord, record: DocumentRecord) {
  const body = documentView(ctx, kind, company, record);
  if (!kind.paymentRequests) return body;
  return { ...body, payment_requests: documentPaymentRequests(ctx, kind, record).map(paymentRequestFields) };
}

function documentPaymentRequests(ctx: ApiContext, kind: DocumentKind, record: DocumentRecord) {
  return [...ctx.state.paymentRequests.values()].filter(
    (request) => request.document.kind === kind.name && request.document.id === record.id,
  );
}

function paymentRequestFields(request: PaymentRequestRecord) {
  const { companyUuid: _company, document: _document, ...fields } = request;
  return fields;
}

function paymentRequestView(ctx: ApiContext, request: PaymentRequestRecord) {
  const kind = DOCUMENT_KINDS.find((candidate) => candidate.name === request.document.kind) as DocumentKind;
  return { ...paymentRequestFields(request), document: documentReference(ctx, kind, request.document.id) };
}

function companyRecord(ctx: ApiContext, kind: DocumentKind, company: CompanyRecord, id: number): DocumentRecord {
  const record = ctx.state.documents[kind.name].get(id);
  return ownedRecord(company, record, `${kind.type} ${id} is not found in company ${company.uuid}.`);
}

/** Query filters that take repeated ids (`warehouses=1&warehouses=2`), as numbers. */
function idFilter(call: ApiCall, name: string): number[] | undefined {
  const values = call.params[name];
  return Array.isArray(values) ? values.map(Number) : undefined;
}

/** The list's filters as a test of one record: date range, free text over number and name, and id filters. */
function listFilter(kind: DocumentKind, call: ApiCall): (record: DocumentRecord) => boolean {
  const search = (call.params.search as string | undefined)?.toLowerCase();
  const start = call.params.start_date as string | undefined;
  const end = call.params.end_date as string | undefined;
  const idFilters = Object.entries(kind.idFilters).map(([name, fields]) => ({ ids: idFilter(call, name), fields }));
  return ({ fields }) => {
    const date = fields[kind.dateField] as string | null | undefined;
    if (start && (!date || date < start)) return false;
    if (end && (!date || date > end)) return false;
    const texts = [fields.ref_number, fields.name].map((text) => String(text ?? '').toLowerCase());
    if (search && !texts.some((text) => text.includes(search))) return false;
    return idFilters.every(
      ({ ids, fields: names }) => !ids || names.some((name) => ids.includes(fields[name] as number)),
    );
  };
}

/** Newest first, so what was just created is on the first page. */
function list(kind: DocumentKind): ApiHandler {
  return (ctx, call) => {
    const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
    const { page, perPage } = pageParams(call, DOCUMENTS_PER_PAGE);
    const matches = listFilter(kind, call);
    const records = [...ctx.state.documents[kind.name].values()]
      .filter((record) => record.companyUuid === company.uuid && matches(record))
      .reverse();
    const filters = Object.fromEntries(
      Object.entries(call.params).filter(([name, value]) => name !== 'companyUuid' && value !== undefined),
    );
    const result = paginate(records, page, perPage);
    return { body: { ...result, filters, data: result.data.map((record) => view(ctx, kind, company, record)) } };
  };
}

function read(kind: DocumentKind): ApiHandler {
  return (ctx, call) => {
    const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
    return { body: view(ctx, kind, company, companyRecord(ctx, kind, company, call.params[kind.idParam] as number)) };
  };
}

/** 422 for references outside the company (and a bill's linked documents), 400 for a date in the closed period. */
function checkPayload(ctx: ApiContext, kind: DocumentKind, company: CompanyRecord, payload: Fields, current?: Fields) {
  const errors = unknownReferences(ctx, company, payload, kind.references, kind.lines);
  if (Array.isArray(payload.documents)) {
    payload.documents.forEach((entry: { type: string; id: number }, index) => {
      const target = documentKindOfType(entry.type);
      if (target && ctx.state.documents[target.name].get(entry.id)?.companyUuid !== company.uuid) {
        errors[`documents.${index}.id`] = [`The selected documents.${index}.id is invalid.`];
      }
    });
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  const locked = company.entryLockedDate;
  for (const date of [payload[kind.dateField], current?.[kind.dateField]]) {
    if (typeof date === 'string' && date < locked) {
      throw new ApiError(
        400,
        `The ${kind.dateField} ${date} is earlier than the company's Entry Locked Date (${locked}); documents in a closed period cannot be created or changed.`,
      );
    }
  }
}

/**
 * Re-syncs a document's installments with its term: ones the term still needs stay as they are (edits
 * included), the surplus goes, missing ones are generated.
 */
function syncPaymentRequests(ctx: ApiContext, kind: DocumentKind, company: CompanyRecord, record: DocumentRecord) {
  if (!kind.paymentRequests) return;
  const term =
    record.fields.payment_term_id == null
      ? undefined
      : (lookup(ctx, company, 'paymentTerm', record.fields.payment_term_id) as PaymentTermRecord | undefined);
  const existing = documentPaymentRequests(ctx, kind, record);
  const wanted = term
    ? installments(term, {
        kind: kind.name as 'bills' | 'inventoryOrders',
        id: record.id,
        companyUuid: company.uuid,
        date: (record.fields[kind.dateField] as string | null) ?? new Date().toISOString().slice(0, 10),
        total: linesTotal(record.fields[kind.lines.key], kind.paymentRequests.unit),
        currency: (record.fields.currency as string | null) ?? company.currency,
      })
    : [];
  for (const surplus of existing.slice(wanted.length)) ctx.state.paymentRequests.delete(surplus.id);
  for (const missing of wanted.slice(existing.length)) {
    const id = ctx.state.nextPaymentRequestId();
    ctx.state.paymentRequests.set(id, { ...missing, id });
  }
}

function create(kind: DocumentKind): ApiHandler {
  return (ctx, call) => {
    const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
    const payload = call.body();
    if (kind.refRequired && (typeof payload.ref_number !== 'string' || payload.ref_number === '')) {
      throw validationError({ ref_number: ['The ref_number field is required.'] });
    }
    checkPayload(ctx, kind, company, payload);
    const fields: Fields = { ...payload };
    // Amounts without a currency would be unreadable; NeonPanel books them in the company's currency.
    if ('currency' in kind.references && fields.currency === undefined) fields.currency = company.currency;
    // Without a term of its own, a document follows its vendor's default term.
    if (fields.payment_term_id === undefined && fields.vendor_id != null && kind.paymentRequests) {
      const vendor = lookup(ctx, company, 'vendor', fields.vendor_id) as { paymentTermId: number | null } | undefined;
      fields.payment_term_id = vendor?.paymentTermId ?? null;
    }
    const record: DocumentRecord = {
      id: ctx.state.nextDocumentId(kind.name),
      companyUuid: company.uuid,
      fields,
      ...(kind.createdSource ? { source: kind.createdSource } : {}),
    };
    ctx.state.documents[kind.name].set(record.id, record);
    syncPaymentRequests(ctx, kind, company, record);
    return { body: view(ctx, kind, company, record) };
  };
}

function update(kind: DocumentKind): ApiHandler {
  return (ctx, call) => {
    const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
    const record = companyRecord(ctx, kind, company, call.params[kind.idParam] as number);
    const refusal = kind.readOnly?.(record);
    if (refusal) throw new ApiError(400, refusal);
    const { ref_number: _fixedAtCreation, ...payload } = call.body();
    checkPayload(ctx, kind, company, payload, record.fields);
    if (Array.isArray(payload.documents)) {
      // Entries are synced by upsert and must share one type: others are dropped, as NeonPanel does.
      const type = (payload.documents[0] as { type?: string } | undefined)?.type;
      payload.documents = payload.documents.filter((entry: { type: string }) => entry.type === type);
    }
    const termChanged = 'payment_term_id' in payload && payload.payment_term_id !== record.fields.payment_term_id;
    const updated: DocumentRecord = { ...record, fields: { ...record.fields, ...payload } };
    ctx.state.documents[kind.name].set(record.id, updated);
    if (termChanged) syncPaymentRequests(ctx, kind, company, updated);
    return { body: view(ctx, kind, company, updated) };
  };
}

const listPaymentRequests: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const { page, perPage } = pageParams(call, 20);
  const start = call.params.start_date as string | undefined;
  const end = call.params.end_date as string | undefined;
  const requests = [...ctx.state.paymentRequests.values()].filter(
    (request) =>
      request.companyUuid === company.uuid &&
      (!start || request.due_date >= start) &&
      (!end || request.due_date <= end),
  );
  const result = paginate(requests, page, perPage);
  const filters = Object.fromEntries(Object.entries({ start_date: start, end_date: end }).filter(([, v]) => v));
  return { body: { ...result, filters, data: result.data.map((request) => paymentRequestView(ctx, request)) } };
};

const updatePaymentRequest: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const id = call.params.paymentId as number;
  const request = ownedRecord(
    company,
    ctx.state.paymentRequests.get(id),
    `Payment request ${id} is not found in company ${company.uuid}.`,
  );
  const payload = call.body();
  const changes: Partial<PaymentRequestRecord> = {};
  for (const field of ['paid_amount', 'payment_date', 'transaction_number', 'memo'] as const) {
    if (field in payload) Object.assign(changes, { [field]: payload[field] });
  }
  const updated = { ...request, ...changes };
  ctx.state.paymentRequests.set(id, updated);
  return { body: paymentRequestView(ctx, updated) };
};

/** The handlers by operationId (`bills.list`, `bills.create`, …, `paymentRequests.update`). */
export function documentHandlers(): Record<string, ApiHandler> {
  const handlers: Record<string, ApiHandler> = {
    'paymentRequests.list': listPaymentRequests,
    'paymentRequests.update': updatePaymentRequest,
  };
  for (const kind of DOCUMENT_KINDS) {
    handlers[`${kind.name}.list`] = list(kind);
    handlers[`${kind.name}.create`] = create(kind);
    handlers[`${kind.name}.read`] = read(kind);
    handlers[`${kind.name}.update`] = update(kind);
  }
  return handlers;
}
