/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/**
 * Stock: a sortable table of inventory items with their balance in each warehouse, low stock marked.
 * Shows `list_inventory_items` (each item's balances and restock data then read through the host with
 * `inventory_balances`), `warehouse_balances` (one warehouse) and `inventory_balances` (one item).
 */
import { errorText, h, notice, render, units } from './dom.js';
import { connectView, type ToolResult, type ViewHost } from './host.js';

/** Below this many units in all warehouses together an item is marked low (without restock data). */
const LOW_STOCK_UNITS = 10;

interface Item {
  id: number;
  name?: string;
  sku?: string;
}
interface Warehouse {
  uuid: string;
  name: string;
}
interface Restock {
  estimated_daily_sales?: number;
  lead_time_days?: number;
  safety_stock_days?: number;
}
interface Line {
  item: Item;
  balances: Map<string, number>;
  restock?: Restock;
}
interface Table {
  warehouses: Warehouse[];
  lines: Line[];
  date?: string;
  page?: { current: number; last: number };
}

function total(line: Line): number {
  let sum = 0;
  for (const value of line.balances.values()) sum += value;
  return sum;
}

/** Low when the stock covers less than lead time plus safety stock, or (no restock data) under a fixed floor. */
function isLow(line: Line): boolean {
  const stock = total(line);
  const daily = line.restock?.estimated_daily_sales;
  if (daily && daily > 0) {
    const days = (line.restock?.lead_time_days ?? 0) + (line.restock?.safety_stock_days ?? 0);
    if (days > 0) return stock / daily < days;
  }
  return stock < LOW_STOCK_UNITS;
}

type Column = { title: string; value(line: Line): string | number; numeric?: boolean };

function columns(table: Table): Column[] {
  return [
    { title: 'SKU', value: (l) => l.item.sku ?? '' },
    { title: 'Item', value: (l) => l.item.name ?? '' },
    ...table.warehouses.map(
      (w): Column => ({ title: w.name, value: (l) => l.balances.get(w.uuid) ?? Number.NaN, numeric: true }),
    ),
    { title: 'Total', value: total, numeric: true },
  ];
}

let host: ViewHost | undefined;
let args: Record<string, unknown> = {};
let tool = 'list_inventory_items';
let sort = { column: 0, descending: false };
let current: Table | undefined;

function draw(table: Table): void {
  current = table;
  const cols = columns(table);
  const by = cols[sort.column] ?? cols[0]!;
  const lines = [...table.lines].sort((a, b) => {
    const x = by.value(a);
    const y = by.value(b);
    const order =
      typeof x === 'number' && typeof y === 'number' ? (x || 0) - (y || 0) : String(x).localeCompare(String(y));
    return sort.descending ? -order : order;
  });
  const head = h(
    'tr',
    {},
    ...cols.map((col, i) => {
      const state = i === sort.column ? (sort.descending ? 'descending' : 'ascending') : 'none';
      const button = h('button', { type: 'button' }, col.title);
      button.addEventListener('click', () => {
        sort = { column: i, descending: i === sort.column ? !sort.descending : false };
        draw(table);
      });
      return h('th', { 'aria-sort': state, class: col.numeric ? 'num' : '' }, button);
    }),
    h('th', {}, 'Status'),
  );
  const body = lines.map((line) => {
    const known = line.balances.size > 0;
    const low = known && isLow(line);
    return h(
      'tr',
      { class: low ? 'low' : '', 'data-sku': line.item.sku ?? '' },
      ...cols.map((col) => {
        const value = col.value(line);
        const text = typeof value === 'number' ? (Number.isNaN(value) ? '—' : units(value)) : value;
        return h('td', { class: col.numeric ? 'num' : '' }, text);
      }),
      h('td', {}, known ? h('span', { class: low ? 'badge low' : 'badge ok' }, low ? 'Low stock' : 'In stock') : '—'),
    );
  });
  const pager =
    table.page && table.page.current < table.page.last
      ? h('button', { type: 'button', class: 'next' }, 'Next page')
      : '';
  if (pager) pager.addEventListener('click', () => load(tool, { ...args, page: (table.page?.current ?? 1) + 1 }));
  render(
    h(
      'header',
      {},
      h('h1', {}, 'Stock'),
      h(
        'span',
        { class: 'meta' },
        [
          table.date ? `Balances on ${table.date}` : '',
          table.page ? `page ${table.page.current} of ${table.page.last}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    table.lines.length === 0
      ? notice('No inventory items.')
      : h('table', {}, h('thead', {}, head), h('tbody', {}, ...body)),
    pager,
  );
}

async function load(name: string, next: Record<string, unknown>): Promise<void> {
  if (!host) return;
  args = next;
  await show(await host.callTool(name, next));
}

/** Calls made at once when the view fills in a page of items (hosts relay them one by one anyway). */
const PARALLEL_CALLS = 6;

/**
 * Each item's balance per warehouse and its restock data (lead time, safety stock, daily sales, which
 * decide "low"), read with `inventory_balances` through the host for the items on the page.
 */
async function fillBalances(table: Table, companyUuid: string): Promise<void> {
  const seen = new Map<string, Warehouse>();
  const queue = [...table.lines];
  const worker = async () => {
    for (let line = queue.shift(); line; line = queue.shift()) {
      const result = await host!.callTool('inventory_balances', { companyUuid, inventoryId: line.item.id });
      const body = result.structuredContent ?? {};
      const data = body['balances_data'] as
        | { balances_date?: string; balances_list?: { warehouse: Warehouse; balance: number }[] }
        | undefined;
      if (result.isError || !data) continue;
      for (const row of data.balances_list ?? []) {
        if (!seen.has(row.warehouse.uuid)) seen.set(row.warehouse.uuid, row.warehouse);
        line.balances.set(row.warehouse.uuid, row.balance);
      }
      line.restock = body['restock_data'] as Restock;
      table.date ??= data.balances_date;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_CALLS }, worker));
  table.warehouses = [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function pageOf(body: Record<string, unknown>): Table['page'] {
  const currentPage = body['current_page'];
  const lastPage = body['last_page'];
  return typeof currentPage === 'number' && typeof lastPage === 'number'
    ? { current: currentPage, last: lastPage }
    : undefined;
}

async function show(result: ToolResult): Promise<void> {
  if (result.isError) {
    render(notice(errorText(result) || 'The tool failed.', 'error'));
    return;
  }
  const body = result.structuredContent ?? {};
  const balancesData = body['balances_data'] as
    | { balances_date?: string; balances_list?: { warehouse: Warehouse; balance: number }[] }
    | undefined;
  if (body['inventory'] && balancesData) {
    tool = 'inventory_balances';
    const list = balancesData.balances_list ?? [];
    const table: Table = {
      warehouses: list.map((row) => row.warehouse),
      lines: [
        {
          item: body['inventory'] as Item,
          balances: new Map(list.map((row) => [row.warehouse.uuid, row.balance])),
          restock: body['restock_data'] as Restock,
        },
      ],
      ...(balancesData.balances_date ? { date: balancesData.balances_date } : {}),
    };
    return draw(table);
  }
  const rows = Array.isArray(body['data']) ? (body['data'] as Record<string, unknown>[]) : [];
  if ('balances_date' in body || rows.some((row) => 'balance' in row)) {
    tool = 'warehouse_balances';
    const uuid = String(args['warehouseUuid'] ?? 'warehouse');
    const table: Table = {
      warehouses: [{ uuid, name: 'Balance' }],
      lines: rows.map((row) => ({
        item: row['inventory'] as Item,
        balances: new Map([[uuid, Number(row['balance'])]]),
      })),
      ...(typeof body['balances_date'] === 'string' ? { date: body['balances_date'] } : {}),
      page: pageOf(body),
    };
    return draw(table);
  }
  tool = 'list_inventory_items';
  const table: Table = {
    warehouses: [],
    lines: rows.map((row) => ({ item: row as unknown as Item, balances: new Map() })),
    page: pageOf(body),
  };
  draw(table);
  const companyUuid = args['companyUuid'];
  if (typeof companyUuid === 'string' && table.lines.length > 0) {
    await fillBalances(table, companyUuid).catch(() => undefined);
    if (current === table) draw(table);
  }
}

render(notice('Waiting for the stock…'));
host = await connectView('neonpanel-stock', {
  onToolInput: (input) => {
    args = input;
  },
  onToolResult: (result) => void show(result),
});
if (host.toolName) tool = host.toolName;
