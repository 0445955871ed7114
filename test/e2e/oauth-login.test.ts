/**
 * A person connects a real MCP client and logs in: mcp-remote (as Claude Desktop and Cursor run it) finds
 * the login through the bridge's 401 and metadata, registers itself with the sandbox issuer and prints the
 * authorization URL; headless Chromium opens it, signs in on the sandbox's consent page and approves or
 * denies; the redirect reaches mcp-remote's own callback. Nothing in between is stubbed. (MCP Inspector 2
 * logs in the same way in external-clients.test.ts, beside the other clients that need Node 22.)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { answerConsent } from '../helpers/consent.js';
import { type MCP_REMOTE_STRATEGIES, mcpRemoteTransport, printedAuthorizationUrl } from '../helpers/mcp-remote.js';
import { freePort } from '../helpers/net.js';
import { watchOutput } from '../helpers/output.js';
import { scratchDirs } from '../helpers/scratch.js';
import { type Stack, startStack } from '../helpers/stack.js';

const WAIT_MS = 30_000;
const scratch = scratchDirs();

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ logLevel: 'warn' });
  browser = await launchChromium();
}, 60_000);

/** Every mcp-remote started, so that a failed test leaves no process behind. */
const started: StdioClientTransport[] = [];
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((transport) => transport.close()));
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** mcp-remote in front of the bridge, as a stdio MCP client sees it, with what it prints kept. */
interface RemoteLogin {
  client: Client;
  /** Settles when the client is connected (after the login) or mcp-remote has given up. */
  connected: Promise<'connected' | Error>;
  /** The authorization URL mcp-remote prints for the person to open, once it waits for the answer. */
  authorizationUrl: Promise<string>;
  stderr(): string;
}

async function startRemoteLogin(
  on: Stack = stack,
  endpoint: keyof typeof MCP_REMOTE_STRATEGIES = 'mcp',
): Promise<RemoteLogin> {
  const transport = mcpRemoteTransport(on.url, endpoint, {
    args: [String(await freePort())],
    configDir: scratch('mcp-remote-'),
    // No browser of its own (BROWSER=none, no display): the test's Chromium plays the person.
    env: { BROWSER: 'none', DISPLAY: '' },
    stderr: 'pipe',
  });
  started.push(transport);
  const stderr = watchOutput(transport.stderr!);
  const authorizationUrl = printedAuthorizationUrl(stderr, WAIT_MS);
  const client = new Client({ name: 'oauth-login-test', version: '1.0.0' });
  // The SDK's default of 60 s would hide a lost login behind a long wait.
  const connected = client.connect(transport, { timeout: WAIT_MS }).then(
    () => 'connected' as const,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  return { client, connected, authorizationUrl, stderr: stderr.text };
}

/** The sandbox's consent page, answered for mcp-remote (which registers as "MCP CLI Proxy"). */
const decide = (url: string, user: string, decision: 'approve' | 'deny') =>
  answerConsent(browser, url, user, decision, 'MCP CLI Proxy');

describe('logging in from mcp-remote through the consent page', () => {
  it.each(['mcp', 'sse'] as const)(
    'approved as bob on /%s: the client connects and sees bob’s companies only',
    async (endpoint) => {
      const login = await startRemoteLogin(stack, endpoint);
      const url = new URL(await login.authorizationUrl);
      // The client found the issuer through the bridge and asks for a token for the endpoint it connects to.
      expect(`${url.origin}${url.pathname}`).toBe(`${stack.sandbox.url}/oauth2/authorize`);
      expect(url.searchParams.get('resource')).toBe(`${stack.url}/${endpoint}`);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');

      const { page, label } = await decide(url.href, 'bob', 'approve');
      expect(label).toBe('Bob Brown (bob, 1 company)');
      expect(new URL(page.url()).searchParams.get('code')).toMatch(/^code_/);
      await page.close();
      await expect(login.connected).resolves.toBe('connected');

      const { tools } = await login.client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('list_companies');
      const result = await login.client.callTool({ name: 'list_companies', arguments: {} });
      expect(result.isError).toBeFalsy();
      const companies = (result.structuredContent as { data: { uuid: string }[] }).data.map((company) => company.uuid);
      expect(companies.sort()).toEqual([...stack.sandbox.users['bob']!.companyUuids].sort());
      await login.client.close();
    },
    90_000,
  );

  it('denied: the browser and mcp-remote both say the user denied it, and the client never connects', async () => {
    const login = await startRemoteLogin();
    const { page, label } = await decide(await login.authorizationUrl, 'alice', 'deny');
    expect(label).toBe('Alice Anderson (alice, 2 companies)');
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    await expect(page.locator('body').textContent()).resolves.toContain('the user denied the request');
    await page.close();
    const outcome = await login.connected;
    expect(outcome).toBeInstanceOf(Error);
    expect(login.stderr()).toContain('access_denied - the user denied the request');
  }, 90_000);

  it('keeps working across token expiries: with 2-second tokens, the client refreshes and its calls still succeed', async () => {
    // No clock tolerance, so the bridge refuses a token the moment it expires.
    const shortLived = await startStack({
      logLevel: 'warn',
      sandbox: { tokenTtlSeconds: 2 },
      env: { MCP_CLOCK_TOLERANCE_SECONDS: '0' },
    });
    try {
      const login = await startRemoteLogin(shortLived);
      const { page } = await decide(await login.authorizationUrl, 'bob', 'approve');
      await page.close();
      await expect(login.connected).resolves.toBe('connected');
      for (let call = 0; call < 3; call++) {
        // Without a refresh, mcp-remote would wait for a new browser login: fail fast instead.
        const result = await login.client.callTool({ name: 'list_companies', arguments: {} }, undefined, {
          timeout: 15_000,
        });
        expect(result.isError, `call ${call}`).toBeFalsy();
        expect((result.structuredContent as { data: unknown[] }).data).toHaveLength(1);
        // Past the expiry of the token the last call used.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
      }
      await login.client.close();
    } finally {
      await shortLived.close();
    }
  }, 90_000);
});
