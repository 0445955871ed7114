/**
 * Real third-party MCP clients against the real bridge and sandbox: mcp-remote (stdio ↔ remote
 * bridge, as Claude Desktop and Cursor run it), the MCP Inspector CLI (0.x, and 2.x, whose client
 * negotiates 2026-07-28, lints tool schemas and signs in through the sandbox's consent page in headless
 * Chromium), and the official conformance suites (0.1.16 for 2025-11-25, 0.2.0-alpha.12 for 2026-07-28).
 * The Inspector and the suites need Node 22 or later; `npx -p node@22` (`node@24` for the pre-release
 * suite) brings it from the npm registry, so these tests are slower than the rest (one npx download on a
 * cold cache).
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeaderProxy, startHeaderProxy } from '../../helpers/auth-proxy.js';
import { launchChromium } from '../../helpers/chromium.js';
import { answerConsent } from '../../helpers/consent.js';
import { mcpRemoteTransport } from '../../helpers/mcp-remote.js';
import { freePort } from '../../helpers/net.js';
import { watchOutput } from '../../helpers/output.js';
import { scratchDirs } from '../../helpers/scratch.js';
import { type Stack, startStack } from '../../helpers/stack.js';

const run = promisify(execFile);
const scratch = scratchDirs();
const NODE_22 = ['-y', '-p', 'node@22'];
const INSPECTOR = '@modelcontextprotocol/inspector@0.22.0';
/** The current Inspector line: the SDK v2 client, which can negotiate the 2026-07-28 revision. */
const INSPECTOR_2 = '@modelcontextprotocol/inspector@2.12.0';
const CONFORMANCE_CLI = join(process.cwd(), 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const EXPECTED_FAILURES = join(process.cwd(), 'test/conformance/expected-failures.yml');
/** The pre-release suite for 2026-07-28 (pinned in package.json); it needs Node 22 or later (fs.globSync). */
const CONFORMANCE_NEXT_CLI = join(process.cwd(), 'node_modules/@modelcontextprotocol/conformance-next/dist/index.js');
const EXPECTED_FAILURES_NEXT = join(process.cwd(), 'test/conformance/expected-failures-2026-07-28.yml');
const NODE_24 = ['-y', '-p', 'node@24'];

let stack: Stack;
let aliceToken: string;

beforeAll(async () => {
  stack = await startStack({ logLevel: 'warn' });
  aliceToken = await stack.tokenFor('alice');
});
afterAll(() => stack?.close());

describe('mcp-remote', () => {
  it.each(['mcp', 'sse'] as const)('lists and calls tools over /%s with --header Authorization', async (endpoint) => {
    const client = new Client({ name: 'via-mcp-remote', version: '1.0.0' });
    await client.connect(
      mcpRemoteTransport(stack.url, endpoint, {
        args: ['--header', `Authorization:Bearer ${aliceToken}`],
        configDir: scratch('mcp-remote-'),
        stderr: 'ignore',
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('list_companies');
    const result = await client.callTool({ name: 'list_companies', arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();
  });
});

describe('MCP Inspector CLI', () => {
  const inspect = (...args: string[]) =>
    run(
      'npx',
      [
        ...NODE_22,
        '-p',
        INSPECTOR,
        'mcp-inspector',
        '--cli',
        `${stack.url}/mcp`,
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${aliceToken}`,
        ...args,
      ],
      { timeout: 240_000, maxBuffer: 10_000_000 },
    );

  it('lists the tools and calls list_companies', async () => {
    const listed = JSON.parse((await inspect('--method', 'tools/list')).stdout) as { tools: { name: string }[] };
    expect(listed.tools.map((tool) => tool.name)).toContain('list_companies');
    const called = JSON.parse((await inspect('--method', 'tools/call', '--tool-name', 'list_companies')).stdout) as {
      isError?: boolean;
      content: { type: string }[];
    };
    expect(called.isError).toBeFalsy();
    expect(called.content[0]?.type).toBe('text');
  }, 300_000);
});

describe('MCP Inspector 2 CLI', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  /** `npx` arguments that run the Inspector 2 CLI against the bridge's `path`, then `args`. */
  const cliArgs = (path: string, ...args: string[]) => [
    ...NODE_22,
    '-p',
    INSPECTOR_2,
    'mcp-inspector',
    '--cli',
    `${stack.url}${path}`,
    ...args,
  ];

  /** One CLI call with `--format json`: its parsed envelope (a failing exit rejects). */
  async function inspect(path: string, ...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(
      'npx',
      cliArgs(path, '--header', `Authorization: Bearer ${aliceToken}`, '--format', 'json', ...args),
      { timeout: 240_000, maxBuffer: 10_000_000 },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  }
  const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

  // --strict lints every tool schema for portability (type arrays, schemas that accept anything, …) and
  // exits 6 on an error; with findings of any severity the envelope carries `schemaFindings`.
  it.each(['modern', 'legacy'])(
    'lists portable tool schemas and calls list_companies over /mcp, protocol era %s',
    async (era) => {
      const listed = await inspect('/mcp', '--protocol-era', era, '--method', 'tools/list', '--strict');
      expect(listed['schemaFindings']).toBeUndefined();
      const { tools } = listed['result'] as { tools: { name: string }[] };
      expect(tools.map((tool) => tool.name)).toContain('list_companies');

      const called = await inspect(
        '/mcp',
        '--protocol-era',
        era,
        '--method',
        'tools/call',
        '--tool-name',
        'list_companies',
      );
      const result = called['result'] as {
        isError?: boolean;
        content: { type: string; text: string }[];
        _meta?: Record<string, unknown>;
      };
      expect(result.isError).toBeFalsy();
      expect(JSON.parse(result.content[0]!.text)).toMatchObject({ data: expect.any(Array) });
      // A 2026-07-28 server stamps each result with its identity; a 2025-era one does not.
      if (era === 'modern') expect(result._meta?.[SERVER_INFO]).toMatchObject({ name: 'neonpanel-mcp' });
      else expect(result._meta?.[SERVER_INFO]).toBeUndefined();
    },
    300_000,
  );

  it('calls list_companies over the legacy SSE transport', async () => {
    const called = await inspect('/sse', '--method', 'tools/call', '--tool-name', 'list_companies');
    const result = called['result'] as { isError?: boolean; content: { type: string }[] };
    expect(result.isError).toBeFalsy();
    expect(result.content[0]?.type).toBe('text');
  }, 300_000);

  // The OAuth login a person does: the Inspector finds it through the bridge's 401 and metadata.
  it('signs in through the consent page in headless Chromium (2026-07-28 era) and calls list_companies as bob', async () => {
    const home = scratch('inspector-');
    const callback = `http://127.0.0.1:${await freePort()}/oauth/callback`;
    const child = spawn(
      'npx',
      cliArgs(
        '/mcp',
        '--protocol-era',
        'modern',
        '--method',
        'tools/call',
        '--tool-name',
        'list_companies',
        '--format',
        'json',
        '--callback-url',
        callback,
      ),
      {
        // Interactive OAuth without a terminal, no browser of its own, and nothing kept outside `home`.
        env: {
          ...process.env,
          HOME: home,
          MCP_AUTO_OPEN_ENABLED: 'true',
          MCP_INSPECTOR_SECRET_STORE: 'memory',
          BROWSER: 'none',
          DISPLAY: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const stdout = watchOutput(child.stdout);
    const stderr = watchOutput(child.stderr);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await stderr.until(
        (text) => /Please navigate to: (\S+)/.exec(text)?.[1],
        120_000,
        'no authorization URL from the Inspector',
      );
      const authorize = new URL(url);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${stack.sandbox.url}/oauth2/authorize`);
      expect(authorize.searchParams.get('resource')).toBe(`${stack.url}/mcp`);
      expect(authorize.searchParams.get('redirect_uri')).toBe(callback);

      const { page } = await answerConsent(browser, url, 'bob', 'approve', 'MCP Inspector');
      await page.close();
      expect(await exited, stderr.text()).toBe(0);
      const { result } = JSON.parse(stdout.text()) as {
        result: { isError?: boolean; structuredContent: { data: { uuid: string }[] }; _meta?: Record<string, unknown> };
      };
      expect(result.isError).toBeFalsy();
      // Stamped with the server's identity: the call went out in the 2026-07-28 revision.
      expect(result._meta?.['io.modelcontextprotocol/serverInfo']).toMatchObject({ name: 'neonpanel-mcp' });
      expect(result.structuredContent.data.map((company) => company.uuid)).toEqual([
        ...stack.sandbox.users['bob']!.companyUuids,
      ]);
    } finally {
      child.kill();
    }
  }, 180_000);
});

describe('MCP conformance suite', () => {
  let proxy: HeaderProxy;
  beforeAll(async () => {
    // The suite cannot send a token: a loopback proxy adds one (its own user, so its sessions count apart).
    proxy = await startHeaderProxy(stack.url, { Authorization: `Bearer ${await stack.tokenFor('conformance')}` });
  });
  afterAll(() => proxy?.close());

  it('passes every applicable server scenario (the rest are listed with reasons)', async () => {
    const cwd = scratch('conformance-');
    const outcome = await run(
      'npx',
      [
        ...NODE_22,
        'node',
        CONFORMANCE_CLI,
        'server',
        '--url',
        `${proxy.url}/mcp`,
        '--expected-failures',
        EXPECTED_FAILURES,
      ],
      { cwd, timeout: 300_000, maxBuffer: 10_000_000 },
    ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
    const output = `${outcome.stdout ?? ''}${outcome.stderr ?? ''}`;
    expect(output).not.toMatch(/Unexpected failures/);
    expect(output).toMatch(/✓ server-initialize/);
    expect(output).toMatch(/✓ tools-list/);
    expect(output).toMatch(/✓ dns-rebinding-protection/);
    expect('code' in outcome ? outcome.code : 0, output.slice(-3000)).toBe(0);
  }, 360_000);
});

describe('MCP conformance suite 0.2.0-alpha.12, revision 2026-07-28', () => {
  let proxy: HeaderProxy;
  beforeAll(async () => {
    proxy = await startHeaderProxy(stack.url, { Authorization: `Bearer ${await stack.tokenFor('conformance')}` });
  });
  afterAll(() => proxy?.close());

  /** Runs the pre-release suite's server mode with `args`; resolves with everything it printed and its exit code. */
  const conform = async (...args: string[]) => {
    const outcome = await run(
      'npx',
      [
        ...NODE_24,
        'node',
        CONFORMANCE_NEXT_CLI,
        'server',
        '--url',
        `${proxy.url}/mcp`,
        '--expected-failures',
        EXPECTED_FAILURES_NEXT,
        ...args,
      ],
      { cwd: scratch('conformance-next-'), timeout: 300_000, maxBuffer: 50_000_000 },
    ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
    return { output: `${outcome.stdout ?? ''}${outcome.stderr ?? ''}`, code: 'code' in outcome ? outcome.code : 0 };
  };

  it('--spec-version 2026-07-28: every applicable scenario of the active suite passes', async () => {
    const { output, code } = await conform('--spec-version', '2026-07-28');
    expect(output).not.toMatch(/Unexpected failures|Baseline is stale/);
    expect(output).toMatch(/✓ tools-list/);
    expect(output).toMatch(/✓ server-sse-multiple-streams/);
    expect(output).toMatch(/✓ dns-rebinding-protection/);
    expect(code, output.slice(-3000)).toBe(0);
  }, 360_000);

  it('--requirements 2026-07-28: stateless requests, headers and caching hints pass; the rest are listed', async () => {
    const { output, code } = await conform('--requirements', '2026-07-28');
    expect(output).not.toMatch(/Unexpected failures|Baseline is stale/);
    expect(output).toMatch(/✓ http-header-validation/);
    expect(output).toMatch(/✓ sep-2164-resource-not-found/);
    expect(output).toMatch(/✓ input-required-result-validate-input/);
    expect(code, output.slice(-3000)).toBe(0);
  }, 360_000);
});
