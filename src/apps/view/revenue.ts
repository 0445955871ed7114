/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/**
 * Revenue and COGS over time (`revenue_and_cogs_summary`): bars per period, the margin as a line, totals
 * per company and currency. A company picker calls the tool again through the host for another company.
 */
import { errorText, h, money, notice, render, svg } from './dom.js';
import { connectView, type ToolResult, type ViewHost } from './host.js';

interface Row {
  start_date: string;
  end_date?: string;
  revenue_amount: number;
  cogs_amount: number;
  currency: string;
  company?: { uuid?: string; name?: string } | null;
}

interface Series {
  label: string;
  currency: string;
  periods: { start: string; revenue: number; cogs: number }[];
}

/** One series per company and currency (amounts in different currencies are never added up). */
function seriesOf(rows: Row[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const row of rows) {
    const label = row.company?.name ?? 'All companies';
    const key = `${label}\u0000${row.currency}`;
    let series = byKey.get(key);
    if (!series) {
      series = { label, currency: row.currency, periods: [] };
      byKey.set(key, series);
    }
    const period = series.periods.find((p) => p.start === row.start_date);
    if (period) {
      period.revenue += row.revenue_amount;
      period.cogs += row.cogs_amount;
    } else {
      series.periods.push({ start: row.start_date, revenue: row.revenue_amount, cogs: row.cogs_amount });
    }
  }
  for (const series of byKey.values()) series.periods.sort((a, b) => a.start.localeCompare(b.start));
  return [...byKey.values()];
}

const CHART = { width: 640, height: 220, pad: 36 };

/** Grouped bars (revenue, COGS) per period and the margin as a polyline. */
function chart(series: Series): SVGElement {
  const { width, height, pad } = CHART;
  const max = Math.max(1, ...series.periods.flatMap((p) => [p.revenue, p.cogs]));
  const slot = (width - pad * 2) / Math.max(1, series.periods.length);
  const bar = Math.max(2, slot * 0.35);
  const y = (value: number) => height - pad - (Math.max(0, value) / max) * (height - pad * 2);
  const shapes: SVGElement[] = [
    svg('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: 'axis' }),
  ];
  const margin: string[] = [];
  // About eight labels whatever the number of periods, so they never overlap.
  const labelEvery = Math.ceil(series.periods.length / 8);
  series.periods.forEach((period, i) => {
    const x = pad + i * slot + slot / 2;
    shapes.push(
      svg('rect', {
        x: x - bar,
        y: y(period.revenue),
        width: bar,
        height: height - pad - y(period.revenue),
        class: 'revenue',
      }),
      svg('rect', { x, y: y(period.cogs), width: bar, height: height - pad - y(period.cogs), class: 'cogs' }),
    );
    if (i % labelEvery === 0) {
      const label = document.createTextNode(period.start.slice(0, 7));
      shapes.push(svg('text', { x, y: height - pad + 14, class: 'tick', 'text-anchor': 'middle' }, label));
    }
    margin.push(`${x},${y(period.revenue - period.cogs)}`);
  });
  if (margin.length > 1) shapes.push(svg('polyline', { points: margin.join(' '), class: 'margin' }));
  return svg(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': `Revenue and COGS of ${series.label} in ${series.currency}`,
    },
    ...shapes,
  );
}

function totals(series: Series): HTMLElement {
  const revenue = series.periods.reduce((sum, p) => sum + p.revenue, 0);
  const cogs = series.periods.reduce((sum, p) => sum + p.cogs, 0);
  const margin = revenue - cogs;
  const percent = revenue === 0 ? '—' : `${((margin / revenue) * 100).toFixed(1)} %`;
  return h(
    'dl',
    { class: 'totals' },
    h('div', {}, h('dt', {}, 'Revenue'), h('dd', { 'data-total': 'revenue' }, money(revenue, series.currency))),
    h('div', {}, h('dt', {}, 'COGS'), h('dd', { 'data-total': 'cogs' }, money(cogs, series.currency))),
    h(
      'div',
      {},
      h('dt', {}, 'Margin'),
      h('dd', { 'data-total': 'margin' }, `${money(margin, series.currency)} (${percent})`),
    ),
  );
}

const legend = h(
  'p',
  { class: 'legend' },
  h('span', { class: 'key revenue' }),
  'Revenue ',
  h('span', { class: 'key cogs' }),
  'COGS ',
  h('span', { class: 'key margin' }),
  'Margin',
);

let host: ViewHost | undefined;
let args: Record<string, unknown> = {};
let companies: { uuid: string; name: string }[] | undefined;
let last: ToolResult | undefined;

/** The company picker: calls `revenue_and_cogs_summary` again with the same filters for the chosen company. */
function picker(): HTMLElement | string {
  if (!host || !companies || companies.length < 2) return '';
  const chosen = Array.isArray(args['company_uuids']) ? String(args['company_uuids'][0]) : '';
  const select = h(
    'select',
    { 'aria-label': 'Company' },
    h('option', { value: '' }, 'All companies'),
    ...companies.map((c) =>
      h('option', c.uuid === chosen ? { value: c.uuid, selected: '' } : { value: c.uuid }, c.name),
    ),
  ) as HTMLSelectElement;
  select.addEventListener('change', async () => {
    const next = { ...args };
    if (select.value) next['company_uuids'] = [select.value];
    else delete next['company_uuids'];
    args = next;
    show(await host!.callTool('revenue_and_cogs_summary', next));
  });
  return h('label', { class: 'picker' }, 'Company ', select);
}

function show(result: ToolResult): void {
  last = result;
  if (result.isError) {
    render(notice(errorText(result) || 'The tool failed.', 'error'));
    return;
  }
  const rows = (result.structuredContent?.['data'] ?? []) as Row[];
  if (!Array.isArray(rows) || rows.length === 0) {
    render(picker(), notice('No revenue or COGS in this period.'));
    return;
  }
  const sections = seriesOf(rows).map((series) =>
    h(
      'section',
      { class: 'series' },
      h('h2', {}, `${series.label} `, h('span', { class: 'currency' }, series.currency)),
      totals(series),
      chart(series),
    ),
  );
  render(h('header', {}, h('h1', {}, 'Revenue and COGS'), picker()), legend.cloneNode(true), ...sections);
}

render(notice('Waiting for revenue_and_cogs_summary…'));
host = await connectView('neonpanel-revenue', {
  onToolInput: (input) => {
    args = input;
  },
  onToolResult: show,
});
// The picker needs the caller's companies; a failure only leaves the picker out.
host
  .callTool('list_companies', {})
  .then((result) => {
    const list = result.structuredContent?.['data'];
    if (!result.isError && Array.isArray(list)) companies = list as { uuid: string; name: string }[];
    if (last) show(last);
  })
  .catch(() => undefined);
