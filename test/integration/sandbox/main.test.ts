/** `npm run sandbox` (sandbox/main.ts): starts on SANDBOX_PORT=0, prints its URLs, stops on SIGTERM. */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Resolves with stdout once it contains `marker`. */
function readUntil(process: ChildProcess, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes(marker)) resolve(output);
    });
    process.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before printing: ${output}`)));
  });
}

describe('sandbox/main.ts', () => {
  it('prints its URLs, serves them, and exits 0 on SIGTERM', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
      cwd: root,
      env: { ...process.env, SANDBOX_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const output = await readUntil(child, 'Ctrl-C');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/jwks.json',
      '/oauth2/authorize',
      '/api/v1',
      '/__sandbox/faults',
    ]) {
      expect(output).toContain(`${url}${path}`);
    }
    const metadata = await fetch(`${url}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(output).toContain('Demo users: alice (2 companies), bob (1 company), vera (1 company).');

    // The printed token command works as printed, and its token opens the printed example API URL.
    const curl = /token for curl\s+(curl .+)$/m.exec(output)?.[1];
    expect(curl, 'the printed token command').toBeDefined();
    const { stdout } = await promisify(execFile)('bash', ['-c', curl!], { timeout: 10_000 });
    const { access_token: token } = JSON.parse(stdout) as { access_token: string };
    const example = /\(e\.g\. (\S+)\)/.exec(output)?.[1];
    expect(example, 'the printed example API URL').toBeDefined();
    const items = await fetch(example!, { headers: { authorization: `Bearer ${token}` } });
    expect(items.status).toBe(200);
    expect(((await items.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses a bad SANDBOX_PORT with a message naming it', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
      cwd: root,
      env: { ...process.env, SANDBOX_PORT: 'abc' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('SANDBOX_PORT');
  });
});
