import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SseTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1StreamableTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../helpers/stack.js';

/** The text of a tool result's first content item. */
function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  const first = content?.[0];
  return first?.type === 'text' ? (first.text ?? '') : '';
}

let stack: Stack;
let aliceToken: string;
let aliceCompanyNames: string[];

beforeAll(async () => {
  stack = await startStack();
  aliceToken = await stack.tokenFor('alice');
  aliceCompanyNames = stack.sandbox.users['alice']!.companyUuids.map(
    (uuid) => stack.sandbox.data.companyByUuid.get(uuid)!.name,
  );
});
afterAll(() => stack?.close());

const authHeaders = () => ({ Authorization: `Bearer ${aliceToken}` });

/** What every client must manage: `list_companies` is listed, and calling it returns alice's companies. */
async function expectListsAndCallsListCompanies(client: V1Client | Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toContain('list_companies');
  const result = await client.callTool({ name: 'list_companies', arguments: {} });
  expect(result.isError).toBeFalsy();
  for (const name of aliceCompanyNames) expect(firstText(result)).toContain(name);
}

describe('official SDK clients on every transport', () => {
  it('SDK v1 over Streamable HTTP (2025-11-25 session): lists tools and calls list_companies', async () => {
    const client = new V1Client({ name: 'v1-streamable', version: '1.0.0' });
    const transport = new V1StreamableTransport(new URL(`${stack.url}/mcp`), {
      requestInit: { headers: authHeaders() },
    });
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expectListsAndCallsListCompanies(client);
    await transport.terminateSession();
    await client.close();
  });

  it('SDK v1 over legacy HTTP+SSE (2024-11-05): lists tools and calls list_companies', async () => {
    const client = new V1Client({ name: 'v1-sse', version: '1.0.0' });
    const transport = new V1SseTransport(new URL(`${stack.url}/sse`), {
      requestInit: { headers: authHeaders() },
      eventSourceInit: {
        fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...authHeaders() } }),
      },
    });
    await client.connect(transport);
    await expectListsAndCallsListCompanies(client);
    await client.close();
  });

  it('SDK v2 client pinned to 2026-07-28: server/discover, tools/list and a call, no handshake', async () => {
    const client = new Client(
      { name: 'v2-modern', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), { requestInit: { headers: authHeaders() } }),
    );
    expect(client.getProtocolEra()).toBe('modern');
    await expectListsAndCallsListCompanies(client);
    await client.close();
  });

  it('SDK v2 client in auto mode negotiates the 2026-07-28 era', async () => {
    const client = new Client({ name: 'v2-auto', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), { requestInit: { headers: authHeaders() } }),
    );
    expect(client.getProtocolEra()).toBe('modern');
    await client.close();
  });

  it('counts MCP requests by method, protocol and transport in /metrics', async () => {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    expect(text).toMatch(
      /neonpanel_mcp_mcp_requests_total\{method="tools\/call",protocol="2026-07-28",transport="modern"\} \d+/,
    );
    expect(text).toMatch(
      /neonpanel_mcp_mcp_requests_total\{method="tools\/call",protocol="[^"]+",transport="sse"\} \d+/,
    );
    expect(text).toMatch(/neonpanel_mcp_http_requests_total\{route="\/mcp",method="POST",status="200"\} \d+/);
  });
});
