/**
 * A real headless Chromium page on another loopback origin calls the real bridge's /mcp: with a
 * token it gets through (CORS preflight included, Mcp-Session-Id readable), without one it can read
 * the 401 and its WWW-Authenticate header.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type Bridge, startBridge } from '../../src/main.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { launchChromium } from '../helpers/chromium.js';
import { type TestIssuer, startTestIssuer } from '../integration/auth/issuer.js';

const PUBLIC_URL = 'https://mcp.example.test';

let issuer: TestIssuer;
let bridge: Bridge;
let pageServer: Server;
let pageOrigin: string;
let browser: Browser;

beforeAll(async () => {
  issuer = await startTestIssuer();
  const config = loadConfig({
    NEONPANEL_ISSUER: issuer.issuer,
    NEONPANEL_API_URL: issuer.issuer,
    MCP_PUBLIC_URL: PUBLIC_URL,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  bridge = await startBridge(config, { logger: silentLogger() });
  // The page's origin differs from the bridge's by host name and port: a cross-origin call.
  pageServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>client</title><p>client page');
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
  await bridge?.close();
  await issuer?.close();
});

interface PageResult {
  status: number;
  wwwAuthenticate: string | null;
  sessionId: string | null;
  contentType: string | null;
  text: string;
}

async function callFromPage(token: string | undefined): Promise<PageResult> {
  const page = await browser.newPage();
  try {
    await page.goto(`${pageOrigin}/`);
    expect(new URL(page.url()).origin).toBe(pageOrigin);
    return await page.evaluate(
      async ({ url, token }) => {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
        };
        if (token) headers['authorization'] = `Bearer ${token}`;
        const res = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-11-25',
              capabilities: {},
              clientInfo: { name: 'browser-test', version: '1.0.0' },
            },
          }),
        });
        return {
          status: res.status,
          wwwAuthenticate: res.headers.get('www-authenticate'),
          sessionId: res.headers.get('mcp-session-id'),
          contentType: res.headers.get('content-type'),
          text: await res.text(),
        };
      },
      { url: `${bridge.url}/mcp`, token },
    );
  } finally {
    await page.close();
  }
}

describe('a browser page on another origin', () => {
  it('calls /mcp with a token and gets the initialize result and the session id', async () => {
    const token = await issuer.issueToken({ sub: 'alice' });
    const result = await callFromPage(token);
    expect(result.status).toBe(200);
    expect(result.text).toContain('"protocolVersion"');
    expect(result.text).toContain('"serverInfo"');
    expect(result.sessionId).toMatch(/\S{16,}/);
  });

  it('without a token reads the 401 and its WWW-Authenticate header', async () => {
    const result = await callFromPage(undefined);
    expect(result.status).toBe(401);
    expect(result.wwwAuthenticate).toBe(
      `Bearer resource_metadata="${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(JSON.parse(result.text)).toMatchObject({
      resource_metadata: `${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp`,
    });
  });

  it('with a bad token reads why it was refused', async () => {
    const expired = await issuer.issueToken({ sub: 'alice', expiresIn: -600 });
    const result = await callFromPage(expired);
    expect(result.status).toBe(401);
    expect(result.wwwAuthenticate).toMatch(/error="invalid_token", error_description="expired at \d{4}-/);
  });
});
