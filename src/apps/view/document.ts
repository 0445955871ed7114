/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/**
 * One document: a bill (`get_bill`), an invoice (`get_invoice`) or an inventory order
 * (`get_inventory_order`): header, lines, totals and payment status. "Reload" reads it again through the host.
 */
import { errorText, h, money, notice, record, render } from './dom.js';
import { connectView, type ToolResult, type ViewHost } from './host.js';

interface Payment {
  amount_due?: number | null;
  paid_amount?: number | null;
  due_date?: string | null;
  payment_date?: string | null;
}
type Doc = Record<string, unknown> & { details?: Record<string, unknown>[]; payment_requests?: Payment[] };

interface Kind {
  title: string;
  tool: string;
  party(doc: Doc): string;
  date(doc: Doc): string;
  amount(doc: Doc): number | null;
  lines: { title: string; value(line: Record<string, unknown>, currency: string): string; numeric?: boolean }[];
}

const str = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const num = (value: unknown) => (typeof value === 'number' ? value : null);
const named = (value: unknown) => str((value as { name?: unknown } | null)?.name);

const BILL: Kind = {
  title: 'Bill',
  tool: 'get_bill',
  party: (d) => named(d['vendor']),
  date: (d) => str(d['date']),
  amount: (d) => num(d['amount']),
  lines: [
    { title: 'Service', value: (l) => str(l['service_name']) },
    { title: 'Group', value: (l) => str(l['service_group']) },
    { title: 'Quantity', value: (l) => str(l['quantity']), numeric: true },
    { title: 'Rate', value: (l, c) => money(num(l['rate']), c), numeric: true },
    { title: 'Amount', value: (l, c) => money(num(l['amount']), c), numeric: true },
  ],
};
const INVOICE: Kind = {
  title: 'Invoice',
  tool: 'get_invoice',
  party: (d) => named(d['customer']) || named(d['sales_channel']),
  date: (d) => str(d['transaction_date']),
  amount: (d) => num(d['amount']),
  lines: [
    { title: 'SKU', value: (l) => str(l['sku']) },
    { title: 'Item', value: (l) => str(l['product_name'] ?? l['service_name']) },
    { title: 'Quantity', value: (l) => str(l['quantity']), numeric: true },
    { title: 'Amount', value: (l, c) => money(num(l['amount']), c), numeric: true },
  ],
};
const ORDER: Kind = {
  title: 'Inventory order',
  tool: 'get_inventory_order',
  party: (d) => named(d['vendor']),
  date: (d) => str(d['date_order_placed']),
  amount: (d) => num(d['total_amount']),
  lines: [
    { title: 'SKU', value: (l) => str(l['sku']) },
    { title: 'Item', value: (l) => str(l['name']) },
    { title: 'Quantity', value: (l) => str(l['quantity']), numeric: true },
    { title: 'Price', value: (l, c) => money(num(l['price']), c), numeric: true },
    { title: 'Amount', value: (l, c) => money((num(l['quantity']) ?? 0) * (num(l['price']) ?? 0), c), numeric: true },
  ],
};

function kindOf(doc: Doc, toolName: string | undefined): Kind {
  const byTool = [BILL, INVOICE, ORDER].find((kind) => kind.tool === toolName);
  if (byTool) return byTool;
  if ('date_order_placed' in doc || 'total_amount' in doc) return ORDER;
  if ('customer' in doc || 'transaction_date' in doc || 'source' in doc) return INVOICE;
  return BILL;
}

/**
 * Paid, partly paid or unpaid, from the document's payment requests (invoices carry none); without
 * requests nothing has been paid, and the whole amount is open.
 */
function status(doc: Doc, amount: number | null): { label: string; tone: string; paid: number; due: number } {
  const requests = doc.payment_requests ?? [];
  const paid = requests.reduce((sum, p) => sum + (p.paid_amount ?? 0), 0);
  const due = requests.length > 0 ? requests.reduce((sum, p) => sum + (p.amount_due ?? 0), 0) : (amount ?? 0);
  if (due === 0) return { label: 'Nothing due', tone: 'neutral', paid, due };
  if (paid >= due) return { label: 'Paid', tone: 'ok', paid, due };
  return paid > 0 ? { label: 'Partly paid', tone: 'warn', paid, due } : { label: 'Unpaid', tone: 'low', paid, due };
}

let host: ViewHost | undefined;
let args: Record<string, unknown> = {};

function show(result: ToolResult): void {
  if (result.isError) {
    render(notice(errorText(result) || 'The tool failed.', 'error'));
    return;
  }
  const doc = record(result) as Doc;
  const kind = kindOf(doc, host?.toolName);
  const currency = str(doc['currency']);
  const lines = doc.details ?? [];
  const state = status(doc, kind.amount(doc));
  const number = str(doc['ref_number']) || str(doc['name']) || `#${str(doc['id'])}`;
  const facts: [string, string][] = [
    [kind === INVOICE ? 'Customer' : 'Vendor', kind.party(doc)],
    ['Date', kind.date(doc)],
    ['Market', str(doc['market'])],
    ['Warehouse', named(doc['warehouse'])],
    ['Payment term', named(doc['payment_term'])],
  ];
  const reload = h('button', { type: 'button' }, 'Reload');
  reload.addEventListener('click', async () => {
    if (host) show(await host.callTool(kind.tool, args));
  });
  const lineSum = lines.reduce(
    (sum, l) => sum + (num(l['amount']) ?? (num(l['quantity']) ?? 0) * (num(l['price']) ?? 0)),
    0,
  );
  render(
    h(
      'header',
      {},
      h('h1', {}, `${kind.title} ${number}`),
      kind === INVOICE
        ? h('span', { class: 'badge neutral' }, str(doc['source']) || 'manual')
        : h('span', { class: `badge ${state.tone}`, 'data-status': state.label }, state.label),
      reload,
    ),
    h(
      'dl',
      { class: 'facts' },
      ...facts.filter(([, v]) => v).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
    ),
    lines.length === 0
      ? notice('This document has no lines.')
      : h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...kind.lines.map((c) => h('th', { class: c.numeric ? 'num' : '' }, c.title)))),
          h(
            'tbody',
            {},
            ...lines.map((l) =>
              h('tr', {}, ...kind.lines.map((c) => h('td', { class: c.numeric ? 'num' : '' }, c.value(l, currency)))),
            ),
          ),
        ),
    h(
      'dl',
      { class: 'totals' },
      h('div', {}, h('dt', {}, 'Lines'), h('dd', {}, money(lineSum, currency))),
      h('div', {}, h('dt', {}, 'Total'), h('dd', { 'data-total': 'document' }, money(kind.amount(doc), currency))),
      kind === INVOICE ? '' : h('div', {}, h('dt', {}, 'Paid'), h('dd', {}, money(state.paid, currency))),
      kind === INVOICE
        ? ''
        : h('div', {}, h('dt', {}, 'Open'), h('dd', {}, money(Math.max(0, state.due - state.paid), currency))),
    ),
  );
}

render(notice('Waiting for the document…'));
host = await connectView('neonpanel-document', {
  onToolInput: (input) => {
    args = input;
  },
  onToolResult: show,
});
