/**
 * The workflow prompts: what people ask an assistant to do with NeonPanel, written as the steps and
 * the tools (by their names in ../shared/interface.md) that do it. Pure data and text.
 */

/** One argument of a prompt, as `prompts/list` shows it. */
export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
  /** What a value must look like; a value that does not match is refused with this description. */
  pattern?: { test: RegExp; description: string };
}

/** A prompt: its listing and the text `prompts/get` returns for given arguments. */
export interface WorkflowPrompt {
  name: string;
  title: string;
  description: string;
  arguments: readonly PromptArgument[];
  /** Every tool the text names, in the order it uses them (a test checks each exists in the catalog). */
  tools: readonly string[];
  text(args: Readonly<Record<string, string>>): string;
}

const COMPANY: PromptArgument = {
  name: 'companyUuid',
  description: 'The company to work on (its uuid from list_companies); leave empty to choose among your companies',
  required: false,
};

const MONTH: PromptArgument = {
  name: 'month',
  description: 'The month to review, as YYYY-MM (for example 2026-11)',
  required: true,
  pattern: { test: /^\d{4}-(0[1-9]|1[0-2])$/, description: 'a month as YYYY-MM, like 2026-11' },
};

const DATE = { test: /^\d{4}-\d{2}-\d{2}$/, description: 'a date as YYYY-MM-DD, like 2026-12-31' };

/** The sentence that makes a prompt find its company when none was given. */
function companyStep(args: Readonly<Record<string, string>>): string {
  return args['companyUuid']
    ? `Work on the company with uuid ${args['companyUuid']}.`
    : 'First call `list_companies` and ask me which company to work on if I have more than one.';
}

/** The first and last day of a `YYYY-MM` month. */
function monthRange(month: string): { start: string; end: string } {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { start: `${month}-01`, end: `${month}-${String(last).padStart(2, '0')}` };
}

export const WORKFLOW_PROMPTS: readonly WorkflowPrompt[] = [
  {
    name: 'month_end_review',
    title: 'Month-end revenue and COGS review',
    description: 'Review a month of revenue, cost of goods sold and margin, compared with the month before.',
    arguments: [COMPANY, MONTH],
    tools: ['list_companies', 'revenue_and_cogs_summary', 'list_invoices'],
    text(args) {
      const { start, end } = monthRange(args['month']!);
      return [
        `Review revenue and COGS for ${args['month']} in NeonPanel.`,
        companyStep(args),
        `Call \`revenue_and_cogs_summary\` with company_uuids set to the company, start_date ${start}, end_date ${end}, periodicity monthly, and again for the month before.`,
        'Report revenue, COGS and margin (amount and percent) in the company currency, the change against the month before, and any country whose margin fell.',
        'Where a figure looks wrong, call `list_invoices` for the month and point at the invoices that explain it.',
        'Only read: change nothing in NeonPanel.',
      ].join('\n');
    },
  },
  {
    name: 'reorder_check',
    title: 'Reorder check',
    description: 'Find items running low and whether an open inventory order already covers them.',
    arguments: [COMPANY],
    tools: [
      'list_companies',
      'list_warehouses',
      'warehouse_balances',
      'list_inventory_items',
      'inventory_balances',
      'list_inventory_orders',
      'get_inventory_order',
    ],
    text(args) {
      return [
        'Check which inventory items need reordering in NeonPanel.',
        companyStep(args),
        'Call `list_warehouses`, then `warehouse_balances` for each warehouse; use `list_inventory_items` for the items that have no balance anywhere.',
        'For each item that looks low, call `inventory_balances`: compare its balance with estimated daily sales times lead time plus safety stock days from its restock data.',
        'Then call `list_inventory_orders` and `get_inventory_order` for open orders, and tell me which low items an order already covers (SKU and quantity) and which need a new order.',
        'Answer with a table: SKU, item, balance, days of cover, open order, suggested quantity. Do not create any order unless I ask.',
      ].join('\n');
    },
  },
  {
    name: 'unpaid_bills',
    title: 'Unpaid bills and payment requests',
    description: 'List bills with money still owed and the payment requests falling due.',
    arguments: [
      COMPANY,
      {
        name: 'dueBy',
        description: 'Only payment requests due on or before this date (YYYY-MM-DD)',
        required: false,
        pattern: DATE,
      },
    ],
    tools: ['list_companies', 'list_payment_requests', 'list_bills', 'get_bill', 'list_vendors'],
    text(args) {
      const due = args['dueBy'] ? ` with end_date ${args['dueBy']}` : '';
      return [
        'Show me what I still owe on bills in NeonPanel.',
        companyStep(args),
        `Call \`list_payment_requests\`${due} and keep the requests whose paid amount is below the amount due.`,
        'For their bills, call `list_bills` and `get_bill` to show vendor, bill number, date, amount, paid and open amount.',
        'Group by vendor (names from `list_vendors`), overdue first, with the total open amount per currency.',
        'Only read: do not mark anything paid unless I ask.',
      ].join('\n');
    },
  },
  {
    name: 'import_document',
    title: 'Import a document and follow it to done',
    description:
      'Import a bill from a PDF link or from its data, wait for NeonPanel to process it, then check the result.',
    arguments: [
      COMPANY,
      {
        name: 'link',
        description: 'An https link to the PDF to import; leave empty to type the bill in',
        required: false,
        pattern: { test: /^https:\/\/\S+$/, description: 'an https:// link to a PDF' },
      },
    ],
    tools: [
      'list_companies',
      'get_import_instructions',
      'create_documents_by_pdf',
      'create_documents',
      'check_import_processing',
      'list_bills',
      'get_bill',
    ],
    text(args) {
      const source = args['link']
        ? `Import the PDF at ${args['link']} with \`create_documents_by_pdf\` (type bill).`
        : 'Call `get_import_instructions` for type bill, ask me for the fields it needs, then import with `create_documents` (type bill).';
      return [
        'Import a bill into NeonPanel and follow it until it is done.',
        companyStep(args),
        source,
        'Tell me the request id NeonPanel returns, then call `check_import_processing` until it reports done or failed, waiting as long as it says between checks.',
        'When done, find the new bill with `list_bills` and show it with `get_bill` (lines, totals, status). If it failed, tell me what NeonPanel said and what to fix.',
      ].join('\n');
    },
  },
];
