/** Payment terms and the installments they generate for a bill or an inventory order. */

import { addDays } from './dates.js';
import type { PaymentRequestRecord, PaymentTermRecord } from './model.js';

/** Terms every company has (`system: true`); companies add their own in the catalog seed. */
export const SYSTEM_PAYMENT_TERMS: readonly PaymentTermRecord[] = [
  {
    id: 1,
    companyUuid: null,
    document: null,
    name: 'Net 30',
    schema: [{ date_anchor: 'document_date', days_offset: 30, percentage: 100 }],
  },
  {
    id: 2,
    companyUuid: null,
    document: 'InventoryOrder',
    name: '30/70 Net 30',
    schema: [
      { date_anchor: 'document_date', days_offset: 0, percentage: 30 },
      { date_anchor: 'document_date', days_offset: 30, percentage: 70 },
    ],
  },
  {
    id: 3,
    companyUuid: null,
    document: 'Bill',
    name: 'Due on receipt',
    schema: [{ date_anchor: 'document_date', days_offset: 0, percentage: 100 }],
  },
];

/** The installments `term` calls for on a document of `total` dated `date` (ids assigned by the caller). */
export function installments(
  term: PaymentTermRecord,
  document: PaymentRequestRecord['document'] & { companyUuid: string; date: string; total: number; currency: string },
): Array<Omit<PaymentRequestRecord, 'id'>> {
  return term.schema.map((step, index) => ({
    companyUuid: document.companyUuid,
    document: { kind: document.kind, id: document.id },
    amount_due: Math.round(document.total * step.percentage) / 100,
    paid_amount: null,
    due_date: addDays(document.date, step.days_offset),
    payment_date: null,
    currency: document.currency,
    description: `${step.percentage}% ${index === 0 && term.schema.length > 1 ? 'Deposit' : 'Payment'}`,
    classification: index === 0 && term.schema.length > 1 ? 'deposit' : 'payment',
    transaction_number: null,
    memo: null,
  }));
}
