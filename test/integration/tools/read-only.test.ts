import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReadOnly } from '../../../src/doctor/checks/read-only.js';
import { loadCatalog, toolNameFor, toolsetOf } from '../../../src/tools/index.js';
import { serve, testContext } from '../../helpers/doctor-context.js';
import { readAuditLines } from '../../helpers/audit-log.js';
import { eventually } from '../../helpers/eventually.js';
import { openSession } from '../../helpers/mcp-post.js';
import { scratchDirs } from '../../helpers/scratch.js';
import { type Stack, startStack } from '../../helpers/stack.js';
import { toolText } from '../../helpers/tool-result.js';

/**
 * Read-only connections (`/mcp/readonly`, `MCP_READ_ONLY=true`) and toolsets (`?toolsets=`,
 * `MCP_TOOLSETS`), through the bridge against the sandbox with the SDK clients.
 */

const scratch = scratchDirs();
let stack: Stack;
let token: string;
let auditFile: string;

/** A write tool of the catalog in both API versions, and a company of alice's to name in it. */
const WRITE_TOOL = 'create_documents';
const catalog = loadCatalog();
const toolsOf = (toolset: string) =>
  catalog.operations.filter((op) => toolsetOf(op) === toolset).map((op) => toolNameFor(op.operationId));

beforeAll(async () => {
  auditFile = join(scratch('audit-'), 'audit.log');
  stack = await startStack({ env: { AUDIT_LOG: auditFile } });
  token = await stack.tokenFor('alice');
});
afterAll(() => stack?.close());

/** An SDK v1 client in a 2025-11-25 session at `url`, as alice. */
async function sessionClient(url: string): Promise<{ client: V1Client; transport: V1StreamableTransport }> {
  const client = new V1Client({ name: 'read-only-test', version: '1.0.0' });
  const transport = new V1StreamableTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport };
}

/** An SDK v2 client pinned to the stateless 2026-07-28 revision at `url`, as alice. */
async function modernClient(url: string): Promise<Client> {
  const client = new Client(
    { name: 'read-only-modern', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  return client;
}

const auditLines = () => readAuditLines(auditFile);

function writesAtSandbox(): number {
  return stack.sandbox.requestLog.entries().filter((e) => e.method !== 'GET').length;
}

describe('/mcp/readonly', () => {
  it('serves its own protected-resource metadata, and its 401 challenge names it', async () => {
    const prm = await fetch(`${stack.url}/.well-known/oauth-protected-resource/mcp/readonly`);
    expect(prm.status).toBe(200);
    expect(await prm.json()).toMatchObject({
      resource: `${stack.url}/mcp/readonly`,
      authorization_servers: [stack.sandbox.issuer],
    });
    const refused = await fetch(`${stack.url}/mcp/readonly`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain(
      `resource_metadata="${stack.url}/.well-known/oauth-protected-resource/mcp/readonly"`,
    );
  });

  it('lists read tools only and refuses a write in a 2025 session without reaching NeonPanel', async () => {
    const { client, transport } = await sessionClient(`${stack.url}/mcp/readonly`);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(3);
    expect(tools.map((t) => t.name)).toContain('list_companies');
    expect(tools.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name)).toEqual([]);
    const full = await sessionClient(`${stack.url}/mcp`);
    expect((await full.client.listTools()).tools.map((t) => t.name)).toContain(WRITE_TOOL);
    await full.client.close();

    const before = writesAtSandbox();
    const companyUuid = stack.sandbox.users['alice']?.companyUuids[0];
    const result = await client.callTool({ name: WRITE_TOOL, arguments: { companyUuid, type: 'bill', data: {} } });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toContain(`${stack.url}/mcp/readonly`);
    expect(toolText(result)).toContain('nothing was sent to NeonPanel');
    expect(writesAtSandbox()).toBe(before);
    await eventually(async () =>
      auditLines().some(
        (l) => l['tool'] === WRITE_TOOL && l['outcome'] === 'read_only' && l['company'] === companyUuid,
      ),
    );
    const record = auditLines().find((l) => l['outcome'] === 'read_only');
    expect(record).toMatchObject({ log: 'audit', sub: 'alice', tool: WRITE_TOOL });
    expect(JSON.stringify(record)).not.toContain(token);

    // The session ends like one on /mcp (DELETE with its id).
    await transport.terminateSession();
    await client.close();
  });

  it('opens and ends a session’s GET stream as /mcp does', async () => {
    const url = `${stack.url}/mcp/readonly`;
    const sessionId = await openSession(url, token);
    const headers = {
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': sessionId,
      'Mcp-Protocol-Version': '2025-11-25',
    };
    const controller = new AbortController();
    const stream = await fetch(url, {
      headers: { ...headers, Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
    const ended = await fetch(url, { method: 'DELETE', headers });
    expect(ended.status).toBe(200);
    const gone = await fetch(url, { headers: { ...headers, Accept: 'text/event-stream' } });
    expect(gone.status).toBe(404);
    expect((await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(405);
  });

  it('does the same for a stateless 2026-07-28 client', async () => {
    const client = await modernClient(`${stack.url}/mcp/readonly`);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_companies');
    expect(tools.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name)).toEqual([]);
    const before = writesAtSandbox();
    const result = await client.callTool({ name: WRITE_TOOL, arguments: {} });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toContain('/mcp/readonly');
    expect(writesAtSandbox()).toBe(before);
    const read = await client.callTool({ name: 'list_companies', arguments: {} });
    expect(read.isError).toBeFalsy();
    await client.close();
  });
});

describe('toolsets chosen in the URL', () => {
  it('lists list_companies and the chosen toolsets only, on /mcp and /mcp/readonly', async () => {
    const { client } = await sessionClient(`${stack.url}/mcp?toolsets=reports`);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names.sort()).toEqual(['list_companies', ...toolsOf('reports')].sort());
    const outside = await client.callTool({ name: 'list_warehouses', arguments: {} });
    expect(outside.isError).toBe(true);
    expect(toolText(outside)).toMatch(/not among the toolsets this connection serves \(reports\).*inventory toolset/);
    await client.close();

    const modern = await modernClient(`${stack.url}/mcp/readonly?toolsets=import,reports`);
    const readOnlyNames = (await modern.listTools()).tools.map((t) => t.name);
    expect(readOnlyNames).toContain('check_import_processing');
    expect(readOnlyNames).not.toContain(WRITE_TOOL);
    expect(readOnlyNames).not.toContain('list_warehouses');
    await modern.close();
  });

  it('answers an unknown toolset name with a 400 that lists the valid names', async () => {
    const response = await fetch(`${stack.url}/mcp?toolsets=reports,nope`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/unknown toolset "nope"; the toolsets are account, reports, inventory/);
  });
});

describe('deployment settings', () => {
  it('MCP_READ_ONLY=true makes /mcp read-only too', async () => {
    const bridge = await stack.startInstance({ MCP_READ_ONLY: 'true' });
    const { client } = await sessionClient(`${bridge.url}/mcp`);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_companies');
    expect(tools.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name)).toEqual([]);
    const result = await client.callTool({ name: WRITE_TOOL, arguments: {} });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/^This server is read-only \(.*\/mcp\/readonly\)/);
    await client.close();
  });

  it('MCP_TOOLSETS serves the named toolsets (and list_companies) only', async () => {
    const bridge = await stack.startInstance({ MCP_TOOLSETS: 'reports' });
    const { client } = await sessionClient(`${bridge.url}/mcp`);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names.sort()).toEqual(['list_companies', ...toolsOf('reports')].sort());
    await expect(client.callTool({ name: 'list_warehouses', arguments: {} })).rejects.toThrow(/Unknown tool/);
    await client.close();
  });

  it('MCP_TOOLSETS with an unknown name stops the start with the valid names', async () => {
    await expect(stack.startInstance({ MCP_TOOLSETS: 'reports,stock' })).rejects.toThrow(
      /MCP_TOOLSETS names an unknown toolset "stock"; the toolsets are account, reports, inventory/,
    );
  });
});

describe('the doctor', () => {
  it('recognises a read-only URL and checks its metadata', async () => {
    const [result] = await checkReadOnly(testContext(`${stack.url}/mcp/readonly`, ['all']));
    expect(result).toMatchObject({ id: 'connection.readonly', status: 'pass' });
    expect(result?.detail).toContain(`${stack.url}/mcp/readonly is a read-only connection`);
    expect(await checkReadOnly(testContext(`${stack.url}/mcp`, ['all']))).toEqual([]);
  });

  it('fails a read-only URL whose server has no metadata for it', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404).end();
    });
    const [result] = await checkReadOnly(testContext(`${server.url}/mcp/readonly`, ['all']));
    await server.close();
    expect(result).toMatchObject({ id: 'connection.readonly', status: 'fail' });
    expect(result?.fix).toContain(`${server.url}/.well-known/oauth-protected-resource/mcp/readonly`);
  });
});
