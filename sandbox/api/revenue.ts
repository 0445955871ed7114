/**
 * revenueAndCogsSummary: revenue and COGS of the seeded invoices, chunked by `periodicity` and grouped
 * by any mix of company, country and invoice.
 */

import type { CompanyRecord, InvoiceRecord } from '../data/model.js';
import { addDays } from '../data/dates.js';
import type { ApiCall, ApiContext, ApiHandler } from './context.js';
import { ApiError, validationError } from './errors.js';
import { period } from './costs.js';
import { companyView, documentView, round2 } from './views.js';

/** Fixed conversion to USD for answers that mix companies of different currencies. */
const USD_RATE: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.27 };

type Periodicity = 'total' | 'yearly' | 'quarterly' | 'monthly';

/** First day of the period after the one `date` falls in. */
function nextPeriodStart(date: string, periodicity: Exclude<Periodicity, 'total'>): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const months = periodicity === 'yearly' ? 12 - month + 1 : periodicity === 'quarterly' ? 3 - ((month - 1) % 3) : 1;
  const next = new Date(Date.UTC(year, month - 1 + months, 1));
  return next.toISOString().slice(0, 10);
}

/** The [start, end] chunks of the period, clipped to it. */
function periods(start: string, end: string, periodicity: Periodicity): Array<[string, string]> {
  if (periodicity === 'total') return [[start, end]];
  const chunks: Array<[string, string]> = [];
  for (let from = start; from <= end; ) {
    const next = nextPeriodStart(from, periodicity);
    const to = addDays(next, -1);
    chunks.push([from, to < end ? to : end]);
    from = next;
  }
  return chunks;
}

function selectedCompanies(ctx: ApiContext, call: ApiCall): CompanyRecord[] {
  const requested = call.params.company_uuids as string[] | undefined;
  if (!requested) return call.user.companyUuids.flatMap((uuid) => ctx.data.companyByUuid.get(uuid) ?? []);
  const unknown = requested.filter((uuid) => !ctx.data.companyByUuid.has(uuid));
  if (unknown.length > 0) {
    throw validationError({
      company_uuids: unknown.map((uuid) => `The selected company_uuids value "${uuid}" is invalid.`),
    });
  }
  const forbidden = requested.find((uuid) => !call.user.companyUuids.includes(uuid));
  if (forbidden)
    throw new ApiError(403, `This action is unauthorized: you do not have access to company ${forbidden}.`);
  return [...new Set(requested)].map((uuid) => ctx.data.companyByUuid.get(uuid) as CompanyRecord);
}

interface Row {
  start: string;
  end: string;
  revenue: number;
  cogs: number;
  currency: string;
  company?: CompanyRecord;
  country?: string;
  invoice?: InvoiceRecord;
}

export const revenueAndCogsSummary: ApiHandler = (ctx, call) => {
  const { start, end } = period(call);
  const periodicity = call.params.periodicity as Periodicity;
  const grouping = [...new Set((call.params.grouping as string[] | undefined) ?? ['company'])];
  const countries = (call.params.country_codes as string[] | undefined)?.map((code) => code.toUpperCase());
  const companies = selectedCompanies(ctx, call);
  const byCompany = grouping.includes('company') || grouping.includes('invoice');
  const currencies = new Set(companies.map((company) => company.currency));
  const commonCurrency = currencies.size === 1 ? [...currencies][0] : 'USD';
  const chunks = periods(start, end, periodicity);
  const rows = new Map<string, Row>();
  const companyUuids = new Set(companies.map((company) => company.uuid));
  let chunkIndex = 0;
  for (const invoice of ctx.data.invoices) {
    if (invoice.date < start) continue;
    if (invoice.date > end) break;
    if (!companyUuids.has(invoice.companyUuid) || (countries && !countries.includes(invoice.countryCode))) continue;
    while ((chunks[chunkIndex]?.[1] ?? '') < invoice.date) chunkIndex++;
    const chunk = chunks[chunkIndex] as [string, string];
    const company = ctx.data.companyByUuid.get(invoice.companyUuid) as CompanyRecord;
    const keyParts = [chunk[0]];
    if (grouping.includes('company')) keyParts.push(company.uuid);
    if (grouping.includes('country')) keyParts.push(invoice.countryCode);
    if (grouping.includes('invoice')) keyParts.push(String(invoice.id));
    const key = keyParts.join('|');
    const currency = byCompany ? company.currency : (commonCurrency ?? 'USD');
    const rate = currency === company.currency ? 1 : (USD_RATE[company.currency] ?? 1);
    const row = rows.get(key) ?? {
      start: chunk[0],
      end: chunk[1],
      revenue: 0,
      cogs: 0,
      currency,
      company: grouping.includes('company') ? company : undefined,
      country: grouping.includes('country') ? invoice.countryCode : undefined,
      invoice: grouping.includes('invoice') ? invoice : undefined,
    };
    for (const line of invoice.lines) {
      row.revenue += line.revenue * rate;
      row.cogs += line.cogs * rate;
    }
    rows.set(key, row);
  }
  return {
    body: {
      filters: {
        company_uuids: companies.map((company) => company.uuid),
        ...(countries ? { country_codes: countries } : {}),
        periodicity,
        grouping,
        start_date: start,
        end_date: end,
      },
      data: [...rows.values()].map((row) => ({
        start_date: row.start,
        end_date: row.end,
        revenue_amount: round2(row.revenue),
        cogs_amount: round2(row.cogs),
        currency: row.currency,
        // Fields of groupings not asked for are left out rather than null: the document's nullable $refs are ambiguous.
        ...(row.company ? { company: companyView(row.company) } : {}),
        ...(row.country ? { country_code: row.country } : {}),
        ...(row.invoice ? { invoice: documentView(ctx, 'Invoice', row.invoice.refNumber, row.invoice.date) } : {}),
      })),
    },
  };
};
