/**
 * The MCP conformance suite's `authorization` mode (pre-release 0.2.0-alpha.12, pinned: installed as
 * `@modelcontextprotocol/conformance-next`) against the sandbox's authorization server with CIMD on. The
 * suite acts as a client: it reads the metadata, then sends an authorization request with PKCE and
 * `resource` for a client whose `client_id` is the URL of a metadata document this test serves on
 * loopback, waits for the redirect on its own callback listener and exchanges the code. The sandbox
 * approves as alice (autoApprove), so the test only has to open the URL the suite prints. Node 22 is
 * needed (the suite imports fs.globSync): `npx -p node@22` brings it from the npm registry.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';
import { type DocumentServer, startDocumentServer } from '../../helpers/document-server.js';
import { freePort } from '../../helpers/net.js';
import { watchOutput } from '../../helpers/output.js';
import { scratchDirs } from '../../helpers/scratch.js';

const SUITE = join(process.cwd(), 'node_modules/@modelcontextprotocol/conformance-next');
const PINNED = '0.2.0-alpha.12';
const EXPECTED_FAILURES = join(process.cwd(), 'test/conformance/expected-failures-authorization-server.yml');
const RESOURCE = 'https://mcp.example.com/mcp';
const scratch = scratchDirs();

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  errorMessage?: string;
}

let sandbox: Sandbox;
let docs: DocumentServer;

beforeAll(async () => {
  sandbox = await startSandbox({ cimd: { allowLoopback: true }, autoApprove: 'alice' });
  docs = await startDocumentServer();
});
afterAll(async () => {
  await sandbox?.close();
  await docs?.close();
});

/** Every check of every scenario the suite saved under `dir` (one `<scenario>/checks.json` each). */
async function savedChecks(dir: string): Promise<Map<string, Check[]>> {
  const byScenario = new Map<string, Check[]>();
  for (const entry of await readdir(dir)) {
    const scenario = entry.replace(/^authorization-server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    byScenario.set(scenario, JSON.parse(await readFile(join(dir, entry, 'checks.json'), 'utf8')) as Check[]);
  }
  return byScenario;
}

describe('MCP conformance suite, authorization-server mode', () => {
  it('runs the pinned pre-release suite', async () => {
    const { version } = JSON.parse(await readFile(join(SUITE, 'package.json'), 'utf8')) as { version: string };
    expect(version).toBe(PINNED);
  });

  it('passes every check against the sandbox with CIMD on (expected failures listed with reasons)', async () => {
    const path = '/conformance/client.json';
    const clientId = docs.serve(path, {
      body: {
        client_id: `${docs.url}${path}`,
        client_name: 'MCP conformance suite',
        // The suite listens on http://127.0.0.1:<port>/callback; loopback redirects match on any port.
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'none',
      },
    });
    const output = scratch('conformance-as-');
    const child = spawn(
      'npx',
      [
        ...['-y', '-p', 'node@22', 'node', join(SUITE, 'dist/index.js'), 'authorization'],
        ...['--url', sandbox.issuer, '--client-id', clientId, '--resource', RESOURCE],
        ...['--port', String(await freePort()), '--spec-version', '2026-07-28', '--output-dir', output],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stdout = watchOutput(child.stdout);
    const stderr = watchOutput(child.stderr);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await stdout.until(
        (text) => /^(http\S+\/oauth2\/authorize\?\S+)$/m.exec(text)?.[1],
        240_000,
        'the suite printed no authorization URL',
      );
      // What a person would do in the browser: the sandbox approves and redirects to the suite's callback.
      const callback = await fetch(url);
      expect(callback.status, await callback.clone().text()).toBe(200);
      expect(await exited, `${stdout.text()}\n${stderr.text()}`).toBe(0);
    } finally {
      child.kill();
    }

    const checks = await savedChecks(output);
    expect([...checks.keys()].sort()).toEqual(['authorization-code-grant', 'authorization-server-metadata-endpoint']);
    const expected = new Set(
      (parse(await readFile(EXPECTED_FAILURES, 'utf8')) as { authorization: string[] }).authorization,
    );
    const outcomes = [...checks.values()].flat().map((check) => ({
      id: check.id,
      status: check.status,
      ...(check.errorMessage ? { errorMessage: check.errorMessage } : {}),
    }));
    expect(outcomes.filter((check) => check.status !== 'SUCCESS' && !expected.has(check.id))).toEqual([]);
    expect(outcomes.filter((check) => check.status === 'SUCCESS' && expected.has(check.id))).toEqual([]);
    // The checks that prove CIMD and the code grant ran, not merely that nothing failed.
    expect(outcomes.map((check) => check.id).sort()).toEqual([
      'authorization-code-grant',
      'authorization-server-metadata',
      'authorization-server-metadata-cimd',
    ]);
    expect(docs.requests(path)).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
