/**
 * `doctor --login` against the real bridge and sandbox, with headless Chromium as the person: the doctor
 * discovers the issuer from the 401, gets a client id (dynamic registration, or a client ID metadata
 * document when the sandbox accepts them), opens the authorization URL (here: Chromium signs in on the
 * sandbox's consent page), takes the code on its loopback redirect, exchanges it, lists tools and calls
 * one on each transport, and refreshes. The tokens it got never appear in its report.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DoctorReport, type LoginOptions, runLogin } from '../../src/doctor/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { answerConsent } from '../helpers/consent.js';
import { sendJson, serve } from '../helpers/doctor-context.js';
import { watchOutput } from '../helpers/output.js';
import { type Stack, startStack } from '../helpers/stack.js';

const WAIT_MS = 30_000;

let browser: Browser;
let stack: Stack;
let cimdStack: Stack;

beforeAll(async () => {
  [browser, stack, cimdStack] = await Promise.all([
    launchChromium(),
    startStack({ logLevel: 'warn' }),
    startStack({ logLevel: 'warn', sandbox: { cimd: { allowLoopback: true } } }),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.close(), cimdStack?.close()]);
});

/** Every request the doctor made, and every token the issuer handed it (to look for in the report). */
function recordingFetch() {
  const requests: string[] = [];
  const secrets: string[] = [];
  const recorder: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    const response = await fetch(input, init);
    if (new URL(url).pathname.endsWith('/token')) {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as Record<string, unknown>;
      for (const key of ['access_token', 'refresh_token']) if (typeof body[key] === 'string') secrets.push(body[key]);
    }
    return response;
  };
  return { recorder, requests, secrets };
}

/** The person in Chromium: signs in as `user` on the consent page shown for `clientName` and decides. */
const person =
  (clientName: string, decision: 'approve' | 'deny' = 'approve') =>
  async (url: string) => {
    const { page } = await answerConsent(browser, url, 'bob', decision, clientName);
    await expect(page.locator('body').textContent()).resolves.toContain('you can close this tab');
    await page.close();
    return true;
  };

const statuses = (report: DoctorReport) => Object.fromEntries(report.results.map((r) => [r.id, r.status]));

const login = (on: Stack, options: Partial<LoginOptions>) =>
  runLogin({ url: `${on.url}/mcp`, loginWaitMs: WAIT_MS, ...options });

describe('doctor --login', () => {
  it('with dynamic registration: every step passes on every transport, and no token is in the report', async () => {
    const { recorder, requests, secrets } = recordingFetch();
    const shown: string[] = [];
    const report = await login(stack, {
      fetch: recorder,
      openBrowser: person('neonpanel-mcp doctor'),
      onAuthorizationUrl: (url) => shown.push(url),
    });
    expect(statuses(report)).toEqual({
      'login.challenge': 'pass',
      'login.prm': 'pass',
      'login.as': 'pass',
      'login.client': 'pass',
      'login.authorize': 'pass',
      'login.token': 'pass',
      'login.tools.streamable-http': 'pass',
      'login.tools.modern': 'pass',
      'login.tools.sse': 'pass',
      'login.refresh': 'pass',
      'login.tools.refreshed': 'pass',
    });
    expect(report.ok).toBe(true);
    // The URL a person would open carries PKCE S256 and the resource of the URL the doctor was given.
    const authorize = new URL(shown[0]!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('resource')).toBe(`${stack.url}/mcp`);
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    expect(requests).toContain('POST /oauth2/register');
    expect(requests.filter((r) => r === 'POST /oauth2/token')).toHaveLength(2);
    expect(report.results.find((r) => r.id === 'login.tools.modern')?.detail).toMatch(
      /^\d+ tools; list_companies answered\.$/,
    );
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    const text = JSON.stringify(report);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }, 90_000);

  it('with a client ID metadata document: no registration request, and the consent page names the document', async () => {
    const document = await serve((_req, res, origin) =>
      sendJson(res, 200, {
        client_id: `${origin}/client.json`,
        client_name: 'Doctor via CIMD',
        redirect_uris: ['http://127.0.0.1/oauth/callback'],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      }),
    );
    try {
      const { recorder, requests } = recordingFetch();
      const report = await login(cimdStack, {
        fetch: recorder,
        clientMetadataUrl: `${document.url}/client.json`,
        openBrowser: person('Doctor via CIMD'),
      });
      expect(report.results.filter((r) => r.status !== 'pass')).toEqual([]);
      expect(report.results.find((r) => r.id === 'login.client')).toMatchObject({
        title: 'Client ID metadata document (CIMD)',
        detail: `client_id ${document.url}/client.json; no registration.`,
      });
      expect(requests.some((r) => r.endsWith('/oauth2/register'))).toBe(false);
    } finally {
      await document.close();
    }
  }, 90_000);

  it('a metadata URL at an issuer without CIMD: the client step fails and says how to log in instead', async () => {
    const report = await login(stack, { clientMetadataUrl: 'https://example.com/client.json' });
    expect(report.results.at(-1)).toMatchObject({
      id: 'login.client',
      status: 'fail',
      detail: 'the issuer does not advertise client_id_metadata_document_supported.',
      fix: expect.stringContaining('without --client-metadata-url'),
    });
  });

  it('denied on the consent page: the sign-in step fails with access_denied and nothing further runs', async () => {
    const report = await login(stack, { openBrowser: person('neonpanel-mcp doctor', 'deny') });
    expect(report.results.at(-1)).toMatchObject({
      id: 'login.authorize',
      status: 'fail',
      detail: 'the issuer answered access_denied: the user denied the request.',
      fix: 'Approve the request on the consent page.',
    });
    expect(report.ok).toBe(false);
  }, 60_000);

  it('no browser and nobody signing in: the wait ends with a failure that says so', async () => {
    const report = await login(stack, { openBrowser: async () => false, loginWaitMs: 500 });
    expect(report.results.at(-1)).toMatchObject({
      id: 'login.authorize',
      status: 'fail',
      detail: 'no browser could be opened and no answer on the redirect within 1 s.',
    });
  });
});

describe('neonpanel-mcp doctor --login', () => {
  it('prints the URL to open when it opens no browser, then its report as JSON, and exits 0 without any token', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'doctor', `${stack.url}/mcp`, '--login', '--no-browser', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    const stdout = watchOutput(child.stdout);
    const stderr = watchOutput(child.stderr);
    const exited = once(child, 'exit');
    const url = await stderr.until((text) => /Sign in to continue: (\S+)/.exec(text)?.[1], WAIT_MS, 'no URL printed');
    await person('neonpanel-mcp doctor')(url);
    const [code] = await exited;
    expect(code, stderr.text()).toBe(0);
    const report = JSON.parse(stdout.text()) as DoctorReport;
    expect(report.summary).toMatchObject({ fail: 0, pass: 11 });
    // Access and refresh tokens are JWTs or long opaque strings: nothing of the sort is printed.
    expect(stdout.text() + stderr.text()).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  }, 90_000);
});
