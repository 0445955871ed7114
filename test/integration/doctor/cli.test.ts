/**
 * The `neonpanel-mcp` command end to end: spawned with tsx like a user runs it, against the bridge and
 * sandbox. Exit codes, output shape, and the token never printed.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/net.js';
import type { Stack } from '../../helpers/stack.js';
import { startDoctorStack } from './fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `neonpanel-mcp <args>` from source; resolves when it exits. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let stack: Stack;
let token: string;

beforeAll(async () => {
  ({ stack, token } = await startDoctorStack());
});
afterAll(() => stack.close());

describe('neonpanel-mcp doctor', () => {
  it('exits 0 on a healthy deployment and prints one line per check, never the token', async () => {
    const run = await cli(['doctor', `${stack.url}/mcp`, '--token', token, '--client', 'chatgpt']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`NeonPanel MCP doctor → ${stack.url}/mcp`);
    expect(run.stdout).toMatch(/^✓ Protected-resource metadata, path-inserted for \/mcp — /m);
    expect(run.stdout).toMatch(/0 failed/);
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('--json prints one document; a token from MCP_DOCTOR_TOKEN works the same', async () => {
    const run = await cli(['doctor', stack.url, '--json', '--client', 'claude'], { MCP_DOCTOR_TOKEN: token });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, clients: ['claude'], summary: { fail: 0 } });
    expect(report.results.some((r: { id: string }) => r.id === 'tools.lint.claude')).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('--curl prints commands that replay each probe as printed, with the token taken from $TOKEN', async () => {
    const run = await cli(['doctor', `${stack.url}/mcp`, '--token', token, '--json', '--curl', '--client', 'chatgpt']);
    expect(run.code).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: { id: string; curl?: string }[] };
    const replays = results.filter((result) => result.curl !== undefined);
    expect(replays.length).toBeGreaterThanOrEqual(10);
    for (const { id, curl } of replays) {
      expect(curl, id).not.toContain(token);
      // A stream (GET /sse) answers its headers and stays open: --max-time ends it (curl's exit 28).
      const replay = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile('bash', ['-c', `${curl} --max-time 3`], { env: { ...process.env, TOKEN: token } }, (error, stdout) =>
          resolve({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, output: stdout }),
        );
      });
      expect([0, 28], `${id}: ${curl} exited ${replay.code}`).toContain(replay.code);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(replay.output)?.[1]);
      expect(status, `${id}: ${curl}`).toBeLessThan(500);
      // The challenge is the one a person most needs to see: without a token, 401 and WWW-Authenticate.
      if (id === 'auth.challenge') {
        expect(status).toBe(401);
        expect(replay.output).toMatch(/^WWW-Authenticate: Bearer resource_metadata=/im);
      } else if (curl?.includes('$TOKEN')) {
        // The token reached the server through $TOKEN: no 401.
        expect(status, `${id}: ${curl}`).not.toBe(401);
      }
    }
  }, 60_000);

  it('exits 1 with a fix line when a check fails (expired token), still without the token', async () => {
    const expired = await stack.tokenFor('alice', { aud: `${stack.url}/mcp`, expiresIn: -60 });
    const run = await cli(['doctor', `${stack.url}/mcp`, '--token', expired, '--client', 'chatgpt']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ Issued at \(iat\) and expiry \(exp\) — expired/m);
    expect(run.stdout).toMatch(/^ {4}fix: Get a new token/m);
    expect(run.stdout + run.stderr).not.toContain(expired);
  });

  it('exits 1 quickly when nothing listens', async () => {
    const run = await cli(['doctor', `http://127.0.0.1:${await freePort()}/mcp`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('connection refused (nothing is listening there)');
    expect(run.stdout).toContain('fix: Start the bridge');
  });

  it('exits 2 with the usage for a bad command line', async () => {
    const noUrl = await cli(['doctor']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('doctor needs exactly one <url>');
    const badClient = await cli(['doctor', stack.url, '--client', 'netscape']);
    expect(badClient.code).toBe(2);
    expect(badClient.stderr).toContain('--client "netscape" is unknown');
    const loginWithToken = await cli(['doctor', stack.url, '--login', '--token', 'x']);
    expect(loginWithToken.code).toBe(2);
    expect(loginWithToken.stderr).toContain('--login gets its own token');
    const badMetadataUrl = await cli(['doctor', stack.url, '--login', '--client-metadata-url', 'client.json']);
    expect(badMetadataUrl.code).toBe(2);
    expect(badMetadataUrl.stderr).toContain('--client-metadata-url must be an https URL');
    const remoteHttp = ['--client-metadata-url', 'http://client.example.com/client.json'];
    const plainRemoteMetadataUrl = await cli(['doctor', stack.url, '--login', ...remoteHttp]);
    expect(plainRemoteMetadataUrl.code).toBe(2);
    expect(plainRemoteMetadataUrl.stderr).toContain('(http only for a local test)');
  });
});
