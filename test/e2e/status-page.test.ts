/**
 * A real headless Chromium opens the bridge's `/` and gets the HTML status page: the live self-checks,
 * the URL to paste, the steps for ChatGPT and Claude and the doctor command. Saves docs/status-page.png.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/net.js';
import { type Stack, startStack } from '../helpers/stack.js';

const PUBLIC_URL = 'https://mcp.neonpanel.com';
const SCREENSHOT = fileURLToPath(new URL('../../docs/status-page.png', import.meta.url));

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // The public URL is what the page tells people to paste; the test reaches the bridge over loopback.
  stack = await startStack({ env: { MCP_PUBLIC_URL: PUBLIC_URL, MCP_SCOPES: 'neonpanel.mcp' }, logLevel: 'warn' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('status page', () => {
  it('shows the self-checks, the URL to paste, the steps per client and the doctor command', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const response = await page.goto(`${stack.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await expect(page.title()).resolves.toBe('neonpanel-mcp — status');

    const checks = page.locator('#checks tr');
    await expect(checks.count()).resolves.toBe(4);
    for (const name of ['Issuer metadata', 'Signing keys (JWKS)', 'NeonPanel API', 'State store']) {
      await expect(page.locator(`#checks tr[data-check="${name}"] td.state`).textContent()).resolves.toContain('OK');
    }
    await expect(page.locator('#overall').textContent()).resolves.toBe('OK');
    await expect(page.locator('#mcp-url').textContent()).resolves.toBe(`${PUBLIC_URL}/mcp`);
    await expect(page.locator('#steps-chatgpt li').count()).resolves.toBeGreaterThanOrEqual(4);
    await expect(page.locator('#steps-claude').textContent()).resolves.toContain('Add custom connector');
    await expect(page.locator('#doctor pre').textContent()).resolves.toBe(`npx neonpanel-mcp doctor ${PUBLIC_URL}/mcp`);
    // Nothing is fetched besides the page itself: no scripts, fonts or images from anywhere.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.reload();
    expect(requests).toEqual([`${stack.url}/`]);
    // The committed screenshot carries timestamps: rewrite it only when asked (or missing), so a test run leaves the tree clean.
    if (process.env['UPDATE_SCREENSHOTS'] || !existsSync(SCREENSHOT))
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    else expect((await page.screenshot({ fullPage: true })).length).toBeGreaterThan(10_000);
    await page.close();
  });

  it('the icons serverInfo names render in the browser at 64 pixels', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/`);
    // Each icon decoded as an image by the browser: its natural width, or -1 when it does not decode.
    const widths = await page.evaluate(
      (paths) => {
        const width = (src: string) =>
          new Promise<number>((resolve) => {
            const image = new Image();
            image.onload = () => resolve(image.naturalWidth);
            image.onerror = () => resolve(-1);
            image.src = src;
          });
        return Promise.all(paths.map(width));
      },
      ['/icon.svg', '/icon.png'],
    );
    expect(widths).toEqual([64, 64]);
    await page.close();
  });

  it('still serves JSON to clients that do not ask for HTML', async () => {
    const res = await fetch(`${stack.url}/`);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ name: 'neonpanel-mcp', endpoints: { mcp: `${PUBLIC_URL}/mcp` } });
  });

  it('shows an outage of the NeonPanel API as Down, with the reason', async () => {
    const bridge = await stack.startInstance({ NEONPANEL_API_URL: `http://127.0.0.1:${await freePort()}` });
    const page = await browser.newPage();
    await page.goto(`${bridge.url}/`);
    await expect(page.locator('#overall').textContent()).resolves.toBe('Down');
    const row = page.locator('#checks tr[data-check="NeonPanel API"]');
    await expect(row.locator('td.state').textContent()).resolves.toContain('Down');
    await expect(row.textContent()).resolves.toContain('NeonPanel API unreachable');
    await page.close();
  });
});
