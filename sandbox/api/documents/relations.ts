/**
 * The records a document's payload points at by id (vendor, warehouse, payment term, service, item,
 * customer, sales channel), looked up within the document's company: an id of another company's
 * record is as unknown as an id that does not exist.
 */

import type { CompanyRecord } from '../../data/model.js';
import type { ApiContext } from '../context.js';

export type Relation =
  | 'vendor'
  | 'warehouse'
  | 'paymentTerm'
  | 'service'
  | 'inventory'
  | 'customer'
  | 'salesChannel'
  | 'market'
  | 'currency';

const CURRENCIES = new Set(['USD', 'EUR', 'GBP', 'CAD', 'JPY', 'AUD', 'CNY', 'MXN']);

/** Marketplaces the platform knows (`market` must be one of them). */
const MARKETS = new Set(['US', 'CA', 'MX', 'BR', 'GB', 'DE', 'FR', 'IT', 'ES', 'NL', 'SE', 'PL', 'JP', 'AU']);

/** The record `id` names within `company`, or undefined. */
export function lookup(ctx: ApiContext, company: CompanyRecord, relation: Relation, id: unknown) {
  const own = <T extends { id: number; companyUuid: string | null }>(records: Iterable<T>) => {
    for (const record of records) {
      if (record.id === id && (record.companyUuid === company.uuid || record.companyUuid === null)) return record;
    }
    return undefined;
  };
  switch (relation) {
    case 'vendor':
      return own(ctx.data.vendors);
    case 'warehouse':
      return own(ctx.data.warehouses);
    case 'paymentTerm':
      return own(ctx.data.paymentTerms);
    case 'service':
      return own(ctx.data.services);
    case 'customer':
      return own(ctx.data.customers);
    case 'inventory': {
      const item = typeof id === 'number' ? ctx.state.items.get(id) : undefined;
      return item?.companyUuid === company.uuid ? item : undefined;
    }
    case 'salesChannel':
      return ctx.data.salesChannels.find((channel) => channel.id === id);
    case 'market':
      return typeof id === 'string' && MARKETS.has(id.toUpperCase()) ? { id } : undefined;
    case 'currency':
      return typeof id === 'string' && CURRENCIES.has(id.toUpperCase()) ? { id } : undefined;
  }
}

/**
 * Laravel's `exists` check over the payload's references: `fields` maps a header field to its relation,
 * `lineFields` a field of each line under `linesKey`. Null and absent values pass (they are nullable).
 */
export function unknownReferences(
  ctx: ApiContext,
  company: CompanyRecord,
  payload: Record<string, unknown>,
  fields: Readonly<Record<string, Relation>>,
  lines?: { key: string; fields: Readonly<Record<string, Relation>> },
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const check = (name: string, relation: Relation, value: unknown) => {
    if (value === null || value === undefined) return;
    if (!lookup(ctx, company, relation, value)) errors[name] = [`The selected ${name} is invalid.`];
  };
  for (const [field, relation] of Object.entries(fields)) check(field, relation, payload[field]);
  const list = lines ? payload[lines.key] : undefined;
  if (lines && Array.isArray(list)) {
    list.forEach((line: Record<string, unknown>, index) => {
      for (const [field, relation] of Object.entries(lines.fields)) {
        check(`${lines.key}.${index}.${field}`, relation, line[field]);
      }
    });
  }
  return errors;
}
