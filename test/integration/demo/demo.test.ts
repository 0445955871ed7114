import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/** Runs `npm run demo`'s script as a user would and reads what it prints. */
describe('npm run demo', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('drives a real MCP client through OAuth, tools/list, tool calls and a document flow, then keeps serving until Ctrl-C', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      env: { ...process.env, SANDBOX_PORT: '0', PORT: '0', NO_COLOR: '1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 60_000;
    while (!output.includes('export TOKEN=') && child.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(output).toContain('export TOKEN=');
    expect(output).toMatch(/POST \/mcp without a token → 401/);
    expect(output).toMatch(
      /WWW-Authenticate: Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    expect(output).toMatch(/registered by dynamic client registration: client_id \S+/);
    expect(output).toMatch(/tools\/list: 61 tools/);
    expect(output).toMatch(/list_companies → 2 companies alice can see/);
    expect(output).toContain('Acme Outdoor Inc.');
    expect(output).toMatch(/list_inventory_items for .* → page 1 of \d+/);
    // The document flow: bills listed, an inventory order created, then found in the list, and audited.
    expect(output).toMatch(/list_bills for Acme Outdoor Inc\. → [1-9]\d* bills on page 1/);
    const order = /create_inventory_order → order #(\d+) \((PO-DEMO-\d+)\)/.exec(output);
    expect(order, 'the created inventory order').not.toBeNull();
    expect(output).toContain(`list_inventory_orders (search ${order?.[2]}) → order #${order?.[1]} is listed`);
    expect(output).toMatch(/audit \(.*\): \{.*"log":"audit".*"tool":"create_inventory_order".*"outcome":"ok"/);
    expect(output).not.toMatch(/demo failed/);

    // The commands it prints to try by hand work as printed, with the token it exported.
    const token = /export TOKEN=(\S+)/.exec(output)?.[1];
    const lines = output.split('\n').map((line) => line.trim());
    const curl = lines.findIndex((line) => line.startsWith('curl -s') && line.endsWith('\\'));
    const inspector = lines.find((line) => line.startsWith('npx -y -p node@22'));
    expect(curl, 'the printed tools/call curl').toBeGreaterThanOrEqual(0);
    expect(inspector, 'the printed Inspector command').toBeDefined();
    const shell = (command: string) =>
      promisify(execFile)('bash', ['-c', command], { env: { ...process.env, TOKEN: token }, timeout: 180_000 });
    const called = JSON.parse((await shell(`${lines[curl]}\n${lines[curl + 1]}`)).stdout) as {
      result: { content: { text: string }[] };
    };
    expect(called.result.content[0]!.text).toContain('Acme Outdoor Inc.');
    const listed = JSON.parse((await shell(inspector!)).stdout) as { tools: { name: string }[] };
    expect(listed.tools.map((tool) => tool.name)).toContain('list_companies');

    // Still serving: the status URL it printed answers.
    const statusUrl = /bridge status page\s+(\S+)/.exec(output)?.[1];
    expect(statusUrl).toBeDefined();
    const health = await fetch(new URL('/healthz', statusUrl));
    expect(health.status).toBe(200);

    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 240_000);
});
