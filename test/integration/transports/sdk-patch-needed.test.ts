/**
 * Whether the bridge still needs its patch of the MCP SDK (docs/dependency-patches.md). The patch makes
 * the SDK test whether an incoming message is a request before testing whether it is a response, which
 * is worth carrying only while the SDK as published does it the other way round. This file rebuilds the
 * SDK as published (a copy of the installed package with the patch reversed by patch-package, the tool
 * that applies it on install) and checks that the copy still parses a request as a response first, in
 * Protocol's dispatcher and in `classifyInboundRequest`. When it fails there, an SDK upgrade has made
 * the patch useless: delete the patch and this file.
 *
 * `sdk-dispatch.test.ts` checks the patched SDK through the bridge, on every transport; here the installed
 * build only serves to show that the probe tells the two builds apart.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as installed from '@modelcontextprotocol/server';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { modernRequest } from '../../helpers/modern-request.js';
import { watchResponseParses } from '../../helpers/sdk-parses.js';

type Sdk = typeof installed;

const SDK = '@modelcontextprotocol/server';
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

/** The patch file of the SDK, whatever version it names (patch-package applies it to any). */
function sdkPatch(): string {
  const names = readdirSync(join(repo, 'patches')).filter((name) => name.startsWith(`${SDK.replace('/', '+')}+`));
  expect(names, `one patch of ${SDK} in patches/`).toHaveLength(1);
  return names[0] as string;
}

let patch = '';
let scratch = '';
let unpatched: Sdk;

beforeAll(async () => {
  patch = sdkPatch();
  // Inside the repository's node_modules, so that Node, walking up from the copy, finds the packages the
  // SDK imports (zod, @modelcontextprotocol/core) where npm installed them.
  mkdirSync(join(repo, 'node_modules/.cache'), { recursive: true });
  scratch = mkdtempSync(join(repo, 'node_modules/.cache/sdk-patch-needed-'));
  const copy = join(scratch, 'node_modules', SDK);
  cpSync(join(repo, 'node_modules', SDK), copy, { recursive: true });
  mkdirSync(join(scratch, 'patches'));
  copyFileSync(join(repo, 'patches', patch), join(scratch, 'patches', patch));
  writeFileSync(join(scratch, 'package.json'), '{ "private": true }\n');
  try {
    execFileSync(process.execPath, [require.resolve('patch-package/index.js'), '--reverse', '--error-on-fail'], {
      cwd: scratch,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `patch-package could not reverse patches/${patch} on a copy of the installed SDK:\n${stdout}${stderr}`,
    );
  }
  const manifest = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as {
    exports: { '.': { import: { default: string } } };
  };
  unpatched = (await import(pathToFileURL(join(copy, manifest.exports['.'].import.default)).href)) as Sdk;
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * How many times one SDK build parses a message against the response schemas while it takes in: a
 * request, through `Protocol`'s dispatcher (an in-memory transport, a ping, which any server answers);
 * a 2026-07-28 `tools/call`, through `classifyInboundRequest`; and a response, through the dispatcher.
 */
async function responseParses(sdk: Sdk) {
  const server = new sdk.McpServer({ name: 'patch-probe', version: '1.0.0' });
  const [client, serverSide] = sdk.InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  try {
    const parses = watchResponseParses(sdk.specTypeSchemas);
    const answered = new Promise((resolve) => {
      client.onmessage = resolve;
    });
    await client.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(await answered, 'the ping is answered').toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    const dispatch = parses();

    const { body, headers } = modernRequest(2, 'tools/call', { name: 'list_companies', arguments: {} });
    const route = sdk.classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: headers['mcp-protocol-version'],
      mcpMethodHeader: headers['mcp-method'],
      mcpNameHeader: headers['mcp-name'],
      body,
    });
    expect(route.kind, 'the 2026-07-28 call is classified as one').toBe('modern');
    const classify = parses() - dispatch;

    // A reply to a request the server never sent: it is parsed as a response either way, which shows
    // the spies sit on the schemas this build parses against.
    await client.send({ jsonrpc: '2.0', id: 99, result: {} });
    return { dispatch, classify, response: parses() - dispatch - classify };
  } finally {
    await server.close();
  }
}

it('the SDK as published still parses a request as a response first, so the patch is still needed', async () => {
  const parses = await responseParses(unpatched);
  expect(parses.response, 'a response is parsed as one').toBeGreaterThan(0);
  const obsolete = `the SDK now tests requests first: delete patches/${patch} and this test (see docs/dependency-patches.md)`;
  expect(parses.dispatch, `Protocol's dispatcher: ${obsolete}`).toBeGreaterThan(0);
  expect(parses.classify, `classifyInboundRequest: ${obsolete}`).toBeGreaterThan(0);
});

it('the installed SDK, patched, never parses a request as a response', async () => {
  const parses = await responseParses(installed);
  expect(parses.response, 'a response is parsed as one').toBeGreaterThan(0);
  const unpatchedInstall = `the installed SDK is not patched: run npm install (patch-package applies patches/${patch})`;
  expect(parses.dispatch, `Protocol's dispatcher: ${unpatchedInstall}`).toBe(0);
  expect(parses.classify, `classifyInboundRequest: ${unpatchedInstall}`).toBe(0);
});
