/**
 * The MCP Apps views in a real browser: a host page (the extension's AppBridge and the SDK client)
 * connects to the bridge, renders each ui:// view in a sandboxed iframe under the CSP its `_meta.ui.csp`
 * asks for, calls the view's tool, and the sandbox's figures must show in the view. Screenshots of each
 * view go to docs/images/ for the README (see `screenshot`). The CSP test proves a view cannot reach another origin.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Preview, type PreviewExample, startPreview } from '../../src/apps/preview/server.js';
import { packageRoot } from '../../src/openapi/package-root.js';
import { launchChromium } from '../helpers/chromium.js';
import { type Stack, startStack } from '../helpers/stack.js';

const PERIOD = { start_date: '2020-01-01', end_date: '2030-12-31', periodicity: 'monthly', grouping: ['company'] };
const IMAGES = join(packageRoot(), 'docs/images');

/**
 * The README's screenshots show dates and figures of the day: a run rewrites them only when asked
 * (UPDATE_SCREENSHOTS=1) or when one is missing, so the tree stays clean; otherwise the screenshot still
 * goes to .test-results/ to look at.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  const committed = join(IMAGES, name);
  const path =
    process.env['UPDATE_SCREENSHOTS'] || !existsSync(committed)
      ? committed
      : join(packageRoot(), '.test-results', name);
  await page.locator('iframe').screenshot({ path });
}

let stack: Stack;
let client: Client;
let browser: Browser;
let preview: Preview;
/** Another origin the CSP probe tries to reach, counting the requests that arrive. */
let elsewhere: Server;
let elsewhereHits = 0;
let elsewhereUrl: string;
let companyUuid: string;
let billId: number | undefined;

type Result = { structuredContent?: Record<string, unknown>; isError?: boolean };
const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as Result;

/** `USD 1,234.50`, as the views print amounts. */
const money = (amount: number, currency: string) =>
  `${currency} ${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The probe: tries another origin and reports whether it got through, as a compromised view would. */
const probeHtml = (target: string) =>
  `<!doctype html><html><head></head><body><p id="out">probing</p><script>
document.addEventListener('securitypolicyviolation', (e) =>
  parent.postMessage({ jsonrpc: '2.0', method: 'probe/blocked', params: { blocked: e.blockedURI } }, '*'));
fetch(${JSON.stringify(target)}).then(() => { out.textContent = 'fetched'; }, () => { out.textContent = 'blocked'; });
</script></body></html>`;

beforeAll(async () => {
  stack = await startStack();
  const token = await stack.tokenFor('alice');
  companyUuid = stack.sandbox.users['alice']!.companyUuids[0]!;
  client = new Client({ name: 'views-oracle', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  const bills = await call('list_bills', { companyUuid });
  billId = (bills.structuredContent?.['data'] as { id: number }[] | undefined)?.[0]?.id;
  elsewhere = createServer((_req, res) => {
    elsewhereHits += 1;
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end('secret');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
  const examples: PreviewExample[] = [
    { id: 'revenue', title: 'Revenue and COGS', tool: 'revenue_and_cogs_summary', args: PERIOD },
    { id: 'stock', title: 'Stock', tool: 'list_inventory_items', args: { companyUuid } },
    {
      id: 'probe',
      title: 'CSP probe',
      tool: 'list_inventory_items',
      args: { companyUuid },
      html: probeHtml(elsewhereUrl),
    },
  ];
  if (billId !== undefined)
    examples.push({ id: 'document', title: 'Bill', tool: 'get_bill', args: { companyUuid, billId } });
  preview = await startPreview({ bridgeUrl: stack.url, token, examples });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await preview?.close();
  await client?.close();
  elsewhere?.close();
  await stack?.close();
});

/** Opens one example and returns its page and the view's frame once the view shows the tool's result. */
async function open(id: string, theme: 'light' | 'dark', ready: string): Promise<{ page: Page; frame: Frame }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${preview.url}/view/${id}?theme=${theme}`);
  await page.waitForFunction(
    () => {
      const state = (window as unknown as { preview?: { status: string } }).preview;
      return state?.status === 'rendered' || state?.status === 'failed';
    },
    undefined,
    { timeout: 20_000 },
  );
  const failure = await page.evaluate(() => (window as unknown as { preview: { error?: string } }).preview.error);
  expect(failure).toBeUndefined();
  const frame = page.frames().find((f) => f !== page.mainFrame());
  if (!frame) throw new Error('no view frame');
  await frame.waitForSelector(ready, { timeout: 20_000 });
  return { page, frame };
}

describe('views rendered by an MCP Apps host in Chromium', () => {
  it('revenue: the totals, margin and currency of the sandbox', async () => {
    const result = await call('revenue_and_cogs_summary', PERIOD);
    const rows = result.structuredContent?.['data'] as {
      revenue_amount: number;
      cogs_amount: number;
      currency: string;
      company: { name: string };
    }[];
    expect(rows.length).toBeGreaterThan(0);
    const first = rows[0]!;
    const mine = rows.filter((r) => r.company.name === first.company.name && r.currency === first.currency);
    const revenue = mine.reduce((sum, r) => sum + r.revenue_amount, 0);
    const cogs = mine.reduce((sum, r) => sum + r.cogs_amount, 0);

    const { page, frame } = await open('revenue', 'light', '[data-total="revenue"]');
    const section = frame.locator('section.series', { hasText: first.company.name }).first();
    await expect
      .poll(() => section.locator('[data-total="revenue"]').textContent())
      .toBe(money(revenue, first.currency));
    expect(await section.locator('[data-total="cogs"]').textContent()).toBe(money(cogs, first.currency));
    expect(await section.locator('[data-total="margin"]').textContent()).toContain(
      money(revenue - cogs, first.currency),
    );
    expect(await section.locator('.currency').textContent()).toBe(first.currency);
    expect(await section.locator('svg rect.revenue').count()).toBeGreaterThan(0);
    await screenshot(page, 'view-revenue.png');

    // Another company: the view calls revenue_and_cogs_summary again through the host.
    const other = rows.find((r) => r.company.name !== first.company.name);
    expect(other, 'alice has a second company to switch to').toBeDefined();
    const picker = frame.locator('select[aria-label="Company"]');
    await picker.selectOption({ label: other!.company.name });
    await expect
      .poll(() => frame.locator('section.series h2').allTextContents())
      .toEqual([`${other!.company.name} ${other!.currency}`]);
    await page.close();
  });

  it("stock: each item's SKU with its balances and low stock marked, read by the view through the host", async () => {
    const items = (await call('list_inventory_items', { companyUuid })).structuredContent?.['data'] as {
      id: number;
      sku: string;
    }[];
    // The oracle: each item's balances and restock data, and whether its stock covers lead time plus safety stock.
    const expected = await Promise.all(
      items.map(async (item) => {
        const body = (await call('inventory_balances', { companyUuid, inventoryId: item.id })).structuredContent as {
          restock_data: { estimated_daily_sales: number; lead_time_days: number; safety_stock_days: number };
          balances_data: { balances_list: { balance: number }[] };
        };
        const total = body.balances_data.balances_list.reduce((sum, row) => sum + row.balance, 0);
        const { estimated_daily_sales: daily, lead_time_days: lead, safety_stock_days: safety } = body.restock_data;
        return { sku: item.sku, total, balances: body.balances_data.balances_list, low: total / daily < lead + safety };
      }),
    );
    expect(
      expected.some((e) => e.low) && expected.some((e) => !e.low),
      'the sandbox page has low and stocked items',
    ).toBe(true);

    const { page, frame } = await open('stock', 'light', `tr[data-sku="${items[0]!.sku}"]`);
    const last = expected.at(-1)!;
    await expect
      .poll(async () => (await frame.locator(`tr[data-sku="${last.sku}"] td`).allTextContents()).at(-2), {
        timeout: 15_000,
      })
      .toBe(last.total.toLocaleString('en-US'));
    for (const item of expected) {
      const cells = await frame.locator(`tr[data-sku="${item.sku}"] td`).allTextContents();
      expect(cells.at(-2), item.sku).toBe(item.total.toLocaleString('en-US'));
      for (const row of item.balances) expect(cells).toContain(row.balance.toLocaleString('en-US'));
      expect(cells.at(-1), item.sku).toBe(item.low ? 'Low stock' : 'In stock');
    }
    await screenshot(page, 'view-stock.png');
    await page.close();
  });

  it('stock follows the dark theme and sorts by a column', async () => {
    const { page, frame } = await open('stock', 'dark', 'tbody tr');
    expect(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(21, 24, 29)');
    const skus = async () =>
      frame.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sku') ?? ''));
    await frame.locator('th button', { hasText: 'SKU' }).click();
    const descending = await skus();
    expect(descending).toEqual([...descending].sort().reverse());
    await screenshot(page, 'view-stock-dark.png');
    await page.close();
  });

  it("document: a bill's header, lines and total", async () => {
    const bill = (await call('get_bill', { companyUuid, billId })).structuredContent as {
      amount: number;
      currency: string;
      details: { service_name: string; amount: number }[];
      payment_requests: { amount_due: number | null; paid_amount: number | null }[];
    };
    const paid = bill.payment_requests.reduce((sum, p) => sum + (p.paid_amount ?? 0), 0);
    const { page, frame } = await open('document', 'light', 'tbody tr');
    const text = (await frame.locator('#app').textContent()) ?? '';
    for (const line of bill.details) {
      expect(text).toContain(line.service_name);
      expect(text).toContain(money(line.amount, bill.currency));
    }
    expect(await frame.locator('[data-total="document"]').textContent()).toBe(money(bill.amount, bill.currency));
    expect(await frame.locator('[data-status]').textContent()).toBe(
      paid === 0 ? 'Unpaid' : paid < bill.amount ? 'Partly paid' : 'Paid',
    );
    await screenshot(page, 'view-document.png');
    await page.close();
  });
});

describe("the view's Content Security Policy", () => {
  it('blocks a request to another origin, and the host sees the violation', async () => {
    const page = await browser.newPage();
    await page.goto(`${preview.url}/view/probe?theme=light`);
    const frame = await (async () => {
      await page.waitForSelector('iframe');
      return page.frames().find((f) => f !== page.mainFrame())!;
    })();
    await expect
      .poll(
        async () =>
          frame
            .locator('#out')
            .textContent()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toBe('blocked');
    const violations = await page.evaluate(
      () => (window as unknown as { preview: { cspViolations: string[] } }).preview.cspViolations,
    );
    expect(violations.some((uri) => uri.startsWith(elsewhereUrl.replace(/\/steal$/, '')))).toBe(true);
    expect(elsewhereHits).toBe(0);
    await page.close();
  });

  it('the same probe without the policy does reach the other origin (the probe can see a leak)', async () => {
    const page = await browser.newPage();
    await page.setContent(probeHtml(elsewhereUrl));
    await expect.poll(() => page.locator('#out').textContent(), { timeout: 10_000 }).toBe('fetched');
    expect(elsewhereHits).toBe(1);
    await page.close();
  });
});
