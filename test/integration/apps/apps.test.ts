/**
 * The MCP Apps views and the workflow prompts as clients see them, on every transport in both eras:
 * resources/list and resources/read, the tools' `_meta`, prompts/list and prompts/get; and with
 * MCP_APPS=false, no views at all (prompts stay).
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SseTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1StreamableTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_VIEWS, VIEW_MIME_TYPE } from '../../../src/apps/index.js';
import { WORKFLOW_PROMPTS } from '../../../src/prompts/index.js';
import { postMcp } from '../../helpers/mcp-post.js';
import { modernRequest } from '../../helpers/modern-request.js';
import { type Stack, startStack } from '../../helpers/stack.js';

/** The calls this file makes, the same for the v1 and v2 SDK clients. */
type AnyClient = Pick<
  Client,
  'listTools' | 'callTool' | 'listResources' | 'readResource' | 'listPrompts' | 'getPrompt' | 'close'
> & { getServerCapabilities(): Record<string, unknown> | undefined };

/** A period wide enough for all of the sandbox's seeded sales. */
const REVENUE_PERIOD = { start_date: '2020-01-01', end_date: '2030-12-31', periodicity: 'monthly' };

const TRANSPORTS = ['2025-11-25 session', '2026-07-28 stateless', 'legacy HTTP+SSE'] as const;
type TransportName = (typeof TRANSPORTS)[number];

async function connect(stack: Stack, token: string, transport: TransportName): Promise<AnyClient> {
  const headers = { Authorization: `Bearer ${token}` };
  const url = (path: string) => new URL(`${stack.url}${path}`);
  if (transport === '2026-07-28 stateless') {
    const client = new Client(
      { name: 'apps-modern', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new StreamableHTTPClientTransport(url('/mcp'), { requestInit: { headers } }));
    return client as unknown as AnyClient;
  }
  const client = new V1Client({ name: 'apps-v1', version: '1.0.0' });
  if (transport === '2025-11-25 session') {
    await client.connect(new V1StreamableTransport(url('/mcp'), { requestInit: { headers } }));
  } else {
    await client.connect(
      new V1SseTransport(url('/sse'), {
        requestInit: { headers },
        eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, ...headers } }) },
      }),
    );
  }
  return client as unknown as AnyClient;
}

/** The JSON-RPC error a 2026-07-28 request sent on the wire to `/mcp` is answered with, if any. */
async function modernError(stack: Stack, token: string, method: string, params: Record<string, unknown> = {}) {
  const request = modernRequest(1, method, params);
  const response = await postMcp(`${stack.url}/mcp`, token, JSON.stringify(request.body), request.headers);
  return ((await response.json()) as { error?: { code: number; message: string } }).error;
}

/** The JSON-RPC error code of a rejected client call. */
async function errorCode(call: Promise<unknown>): Promise<number | undefined> {
  let answer: unknown;
  try {
    answer = await call;
  } catch (error) {
    return (error as { code?: number }).code;
  }
  throw new Error(`expected the call to fail, got ${JSON.stringify(answer).slice(0, 300)}`);
}

describe.each(TRANSPORTS)('views and prompts over %s', (transport) => {
  let stack: Stack;
  let client: AnyClient;
  let names: Set<string>;
  beforeAll(async () => {
    stack = await startStack();
    client = await connect(stack, await stack.tokenFor('alice'), transport);
    names = new Set((await client.listTools()).tools.map((tool) => tool.name));
  });
  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it('declares resources and prompts', () => {
    const capabilities = client.getServerCapabilities();
    expect(capabilities).toHaveProperty('resources');
    expect(capabilities).toHaveProperty('prompts');
  });

  it('lists one ui:// resource per view, each with its explicit CSP', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(APP_VIEWS.map((view) => view.uri).sort());
    for (const resource of resources) {
      expect(resource.mimeType).toBe(VIEW_MIME_TYPE);
      expect(resource._meta).toEqual({ ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } });
    }
  });

  it('reads each view as a self-contained HTML page', async () => {
    for (const view of APP_VIEWS) {
      const { contents } = await client.readResource({ uri: view.uri });
      const page = contents[0] as { uri: string; mimeType: string; text: string; _meta?: unknown };
      expect(page.uri).toBe(view.uri);
      expect(page.mimeType).toBe(VIEW_MIME_TYPE);
      expect(page.text).toMatch(/^<!doctype html>.*<script type="module">/s);
      expect(page._meta).toEqual({ ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } });
    }
  });

  it("answers an unknown ui:// URI with the SDK's resource-not-found (invalid params)", async () => {
    await expect(client.readResource({ uri: 'ui://neonpanel/nope.html' })).rejects.toThrow(
      /No resource "ui:\/\/neonpanel\/nope.html"/,
    );
    expect(await errorCode(client.readResource({ uri: 'ui://neonpanel/nope.html' }))).toBe(-32602);
  });

  it("links each view's tools to it in _meta, for MCP Apps hosts and ChatGPT, and no other tool", async () => {
    const { tools } = await client.listTools();
    for (const view of APP_VIEWS) {
      for (const name of view.tools) {
        const tool = tools.find((t) => t.name === name);
        expect(tool, `${name} is served`).toBeDefined();
        expect(tool?._meta).toMatchObject({ ui: { resourceUri: view.uri }, 'openai/outputTemplate': view.uri });
      }
    }
    expect(tools.find((t) => t.name === 'list_companies')?._meta).not.toHaveProperty('ui');
  });

  it('a tool with a view still answers text and structuredContent', async () => {
    const companyUuid = stack.sandbox.users['alice']!.companyUuids[0]!;
    const result = await client.callTool({
      name: 'revenue_and_cogs_summary',
      arguments: { company_uuids: [companyUuid], ...REVENUE_PERIOD },
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const content = result.content as { type: string; text: string }[];
    expect(JSON.parse(content[0]!.text)).toEqual(result.structuredContent);
    expect((result.structuredContent as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });

  it('lists the workflow prompts, and each one names only tools that exist', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(WORKFLOW_PROMPTS.map((p) => p.name));
    const companyUuid = stack.sandbox.users['alice']!.companyUuids[0]!;
    for (const prompt of prompts) {
      const args: Record<string, string> = { companyUuid };
      if (prompt.name === 'month_end_review') args['month'] = '2026-11';
      const { messages } = await client.getPrompt({ name: prompt.name, arguments: args });
      const text = (messages[0]!.content as { text: string }).text;
      expect(text).toContain(companyUuid);
      const named = [...text.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
      expect(named.length).toBeGreaterThan(0);
      for (const tool of named) expect(names, `${prompt.name} names ${tool}`).toContain(tool);
    }
  });

  it('refuses prompts/get without a required argument, naming it', async () => {
    await expect(client.getPrompt({ name: 'month_end_review', arguments: {} })).rejects.toThrow(/month/);
  });
});

describe('MCP_APPS=false', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ env: { MCP_APPS: 'false' } });
    token = await stack.tokenFor('alice');
  });
  afterAll(() => stack?.close());

  it.each(TRANSPORTS)(
    'over %s: no resources capability, no views, no ui _meta; the prompts stay',
    async (transport) => {
      const client = await connect(stack, token, transport);
      try {
        const capabilities = client.getServerCapabilities();
        expect(capabilities).not.toHaveProperty('resources');
        expect(capabilities).toHaveProperty('prompts');
        // The v2 client answers an empty list itself when the server declares no resources; the others ask.
        const listed = await client.listResources().then(
          (answer) => answer.resources.length,
          (error: { code?: number }) => error.code,
        );
        expect(transport === '2026-07-28 stateless' ? [0] : [-32601]).toContain(listed);
        const read = await errorCode(client.readResource({ uri: APP_VIEWS[0]!.uri }));
        if (transport !== '2026-07-28 stateless') expect(read).toBe(-32601);
        const { tools } = await client.listTools();
        for (const tool of tools) {
          expect(tool._meta ?? {}).not.toHaveProperty('ui');
          expect(tool._meta ?? {}).not.toHaveProperty('openai/outputTemplate');
        }
        expect((await client.listPrompts()).prompts).toHaveLength(WORKFLOW_PROMPTS.length);
      } finally {
        await client.close();
      }
    },
  );

  it('a 2026-07-28 resources/list on the wire is method-not-found', async () => {
    const error = await modernError(stack, token, 'resources/list');
    expect(error?.code).toBe(-32601);
  });
});

describe('bad prompts and resources params, on the wire (2026-07-28)', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack();
    token = await stack.tokenFor('alice');
  });
  afterAll(() => stack?.close());

  it.each([
    ['prompts/get', { name: 5 }, 'params.name'],
    ['prompts/get', { name: 'reorder_check', arguments: { companyUuid: 7 } }, 'params.arguments'],
    ['resources/read', {}, 'params.uri'],
  ])('%s with %j is invalid params naming %s', async (method, params, named) => {
    const error = await modernError(stack, token, method, params);
    expect(error?.code).toBe(-32602);
    expect(error?.message).toContain(named);
  });

  it('a method the bridge does not serve is still method-not-found', async () => {
    const error = await modernError(stack, token, 'completion/complete', {
      ref: { type: 'ref/prompt', name: 'x' },
      argument: { name: 'a', value: 'b' },
    });
    expect(error?.code).toBe(-32601);
  });
});
