import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';
import { openSse } from '../../helpers/sse.js';
import { freePort } from '../../helpers/net.js';

let sandbox: Sandbox;
let child: ChildProcess | undefined;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await sandbox?.close();
});

/** Spawns the real entry point (tsx src/main.ts) configured by environment variables, as `npm run dev` does. */
function spawnBridge(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitUntilReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the bridge did not become ready');
}

describe('the entry point', () => {
  it('refuses bad configuration with a message naming the variable, exit code 1', async () => {
    const bad = spawnBridge({ NEONPANEL_ISSUER: 'my.neonpanel.com' });
    let stderr = '';
    bad.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(bad, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('NEONPANEL_ISSUER must be an https:// or http://127.0.0.1 URL, got "my.neonpanel.com"');
  });

  it('shuts down gracefully on SIGTERM: the in-flight call completes, SSE streams end, exit 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawnBridge({
      PORT: String(port),
      HOST: '127.0.0.1',
      MCP_PUBLIC_URL: url,
      NEONPANEL_ISSUER: sandbox.issuer,
      NEONPANEL_API_URL: sandbox.url,
      MCP_SHUTDOWN_GRACE_SECONDS: '10',
    });
    await waitUntilReady(url);
    const token = await sandbox.issueToken({ sub: 'alice' });
    const headers = { Authorization: `Bearer ${token}` };

    const stream = await openSse(`${url}/sse`, { headers: { ...headers, Accept: 'text/event-stream' } });
    expect((await stream.next()).event).toBe('endpoint');

    sandbox.faults.set({ route: 'listCompanies', kind: 'latency', latencyMs: 1_500 });
    const inFlight = fetch(`${url}/messages`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'list_companies', arguments: {} },
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');

    const response = await inFlight;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { isError?: boolean; content: unknown[] } };
    expect(body.result.isError).toBeFalsy();
    await stream.ended;
    const [code] = await exited;
    expect(code).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    sandbox.faults.clear();
  });
});
