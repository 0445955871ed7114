/**
 * A real client logs in by Client ID Metadata Document (MCP 2026-07-28): mcp-remote started with
 * `--client-metadata-url` finds the login through the bridge's 401 and metadata, sees the sandbox advertise
 * CIMD, and uses its document's URL as `client_id` instead of registering. The document is served by the
 * test over https on loopback (a certificate from a test CA the sandbox is told to trust); headless
 * Chromium answers the consent page; the client then calls a tool through the bridge. The sandbox's request
 * log shows no registration request.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPki, createTestPki } from '../helpers/certs.js';
import { launchChromium } from '../helpers/chromium.js';
import { answerConsent } from '../helpers/consent.js';
import { type DocumentServer, startDocumentServer } from '../helpers/document-server.js';
import { mcpRemoteTransport, printedAuthorizationUrl } from '../helpers/mcp-remote.js';
import { freePort } from '../helpers/net.js';
import { watchOutput } from '../helpers/output.js';
import { scratchDirs } from '../helpers/scratch.js';
import { type Stack, startStack } from '../helpers/stack.js';

const WAIT_MS = 30_000;
const CLIENT_NAME = 'mcp-remote by metadata document';
const scratch = scratchDirs();

let pki: TestPki;
let docs: DocumentServer;
let stack: Stack;
let browser: Browser;
/** The sandbox's access log: one `METHOD /path status time` line per request. */
const sandboxRequests: string[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  docs = await startDocumentServer(await pki.leaf());
  stack = await startStack({
    logLevel: 'warn',
    sandbox: {
      cimd: { allowLoopback: true, ca: pki.root },
      logRequests: (line) => sandboxRequests.push(line),
    },
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await docs?.close();
  await pki?.remove();
});

describe('mcp-remote with --client-metadata-url', () => {
  let transport: StdioClientTransport | undefined;
  afterAll(() => transport?.close());

  it('logs in as bob with its document URL as client_id, registers nothing, and calls a tool', async () => {
    // Listed without a port: a loopback redirect URI matches on any port (RFC 8252 §7.3).
    const documentUrl = docs.serve('/oauth/mcp-remote.json', {
      body: {
        client_id: `${docs.url}/oauth/mcp-remote.json`,
        client_name: CLIENT_NAME,
        redirect_uris: ['http://localhost/oauth/callback', 'http://127.0.0.1/oauth/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      headers: { 'cache-control': 'max-age=300' },
    });
    transport = mcpRemoteTransport(stack.url, 'mcp', {
      args: [String(await freePort()), '--client-metadata-url', documentUrl],
      configDir: scratch('mcp-remote-cimd-'),
      // No browser of its own: the test's Chromium plays the person.
      env: { BROWSER: 'none', DISPLAY: '' },
      stderr: 'pipe',
    });
    const stderr = watchOutput(transport.stderr!);
    const authorizationUrl = printedAuthorizationUrl(stderr, WAIT_MS);
    const client = new Client({ name: 'cimd-login-test', version: '1.0.0' });
    const connected = client.connect(transport, { timeout: WAIT_MS });

    const url = new URL(await authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.sandbox.url}/oauth2/authorize`);
    expect(url.searchParams.get('client_id')).toBe(documentUrl);
    expect(url.searchParams.get('resource')).toBe(`${stack.url}/mcp`);

    const { page, label } = await answerConsent(browser, url.href, 'bob', 'approve', CLIENT_NAME);
    expect(label).toBe('Bob Brown (bob, 1 company)');
    await page.close();
    await connected;

    const result = await client.callTool({ name: 'list_companies', arguments: {} });
    expect(result.isError).toBeFalsy();
    const companies = (result.structuredContent as { data: { uuid: string }[] }).data.map((company) => company.uuid);
    expect(companies.sort()).toEqual([...stack.sandbox.users['bob']!.companyUuids].sort());
    await client.close();

    // The sandbox learnt the client from its document, fetched under the guards, never by registration.
    expect(docs.requests('/oauth/mcp-remote.json')).toBeGreaterThanOrEqual(1);
    expect(sandboxRequests.some((line) => line.startsWith('POST /oauth2/token 200'))).toBe(true);
    expect(sandboxRequests.filter((line) => line.includes('/oauth2/register'))).toEqual([]);
  }, 90_000);
});
