/**
 * One caller from the token check to NeonPanel: the object `callerOf` builds is the one the SDK hands the
 * tool handler (inside `AuthInfo.extra`), the one the tools hand the upstream client, and the one the
 * write audit reads; its token is what NeonPanel receives.
 */
import { type CallToolResult, InMemoryTransport, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifiedToken } from '../auth/index.js';
import type { Caller } from '../caller/index.js';
import { loadConfig } from '../config/index.js';
import type { WriteAuditEntry } from '../telemetry/audit.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { type BridgeTool, createToolset, type Toolset } from '../tools/index.js';
import { callerOf, fromAuthInfo, toAuthInfo } from './caller.js';
import { createMcpServerFactory } from './server-factory.js';

const verified: VerifiedToken = {
  sub: 'alice',
  scopes: ['openid'],
  audience: ['https://bridge.test/mcp'],
  issuer: 'https://issuer.test',
  expiresAt: 2_000_000_000,
  issuedAt: 1_900_000_000,
  clientId: 'claude',
  tokenHash: 'h',
};

describe('callerOf, toAuthInfo and fromAuthInfo', () => {
  it('builds the caller from the verified token, the client id falling back to the subject', () => {
    expect(callerOf(verified, 'raw-token', 'req-1')).toEqual({
      sub: 'alice',
      token: 'raw-token',
      scopes: ['openid'],
      expiresAt: 2_000_000_000,
      clientId: 'claude',
      requestId: 'req-1',
    });
    expect(callerOf({ ...verified, clientId: undefined }, 'raw-token', 'req-1').clientId).toBe('alice');
  });

  it('gets back the very caller it was given, view included, with the fields the SDK reads on top', () => {
    const caller: Caller = { ...callerOf(verified, 'raw-token', 'req-1'), view: { readOnly: true } };
    const authInfo = toAuthInfo(caller);
    expect(fromAuthInfo(authInfo)).toBe(caller);
    expect(authInfo).toMatchObject({ token: 'raw-token', clientId: 'claude', scopes: ['openid'], expiresAt: 2e9 });
  });

  it('finds no caller in an anonymous request or an AuthInfo the bridge did not make', () => {
    expect(fromAuthInfo(undefined)).toBeUndefined();
    expect(fromAuthInfo({ token: 't', clientId: 'c', scopes: [] })).toBeUndefined();
    expect(fromAuthInfo({ token: 't', clientId: 'c', scopes: [], extra: { caller: 'alice' } })).toBeUndefined();
  });
});

describe('a tools/call through the server factory', () => {
  // Only NeonPanel's network edge is faked: it records the Authorization header each call brought.
  const agent = new MockAgent();
  agent.disableNetConnect();
  const authorizations: (string | undefined)[] = [];
  const audited: WriteAuditEntry[] = [];
  const seen: Caller[] = [];
  let toolset: Toolset;
  let writeTool: BridgeTool;

  beforeAll(async () => {
    const config = loadConfig({ NEONPANEL_API_URL: 'https://api.neonpanel.test' });
    toolset = await createToolset({
      config,
      logger: silentLogger(),
      metrics: createMetrics(),
      dispatcher: agent,
      audit: { record: (entry) => void audited.push(entry) },
    });
    writeTool = toolset.tools.find((tool) => !tool.annotations.readOnlyHint)!;
    agent
      .get('https://api.neonpanel.test')
      .intercept({ path: (path) => path.startsWith('/api/v1/companies'), method: 'GET' })
      .reply((request) => {
        const headers = request.headers as Record<string, string>;
        authorizations.push(headers['authorization'] ?? headers['Authorization']);
        return {
          statusCode: 200,
          data: { current_page: 1, last_page: 1, data: [] },
          responseOptions: { headers: { 'content-type': 'application/json' } },
        };
      })
      .persist();
  });
  afterAll(() => agent.close());

  /** Calls `name` on a fresh server as `caller`, the tool observed to record the caller it was handed. */
  async function callAs(caller: Caller, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const observed: Pick<Toolset, 'get' | 'list' | 'refusal'> = {
      get: (tool) => {
        const found = toolset.get(tool);
        if (!found) return undefined;
        return {
          ...found,
          call: (a, ctx) => {
            seen.push(ctx.caller);
            return found.call(a, ctx);
          },
        };
      },
      list: (view) => toolset.list(view),
      refusal: (tool, a, ctx) => toolset.refusal(tool, a, ctx),
    };
    const build = createMcpServerFactory({
      toolset: observed,
      logger: silentLogger(),
      publicUrl: 'https://bridge.test',
    });
    const [client, server] = InMemoryTransport.createLinkedPair();
    const answer = new Promise<JSONRPCMessage>((resolve) => {
      client.onmessage = resolve;
    });
    await build().connect(server);
    await client.start();
    await client.send(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
      { authInfo: toAuthInfo(caller) },
    );
    const message = await answer;
    if (!('result' in message))
      throw new Error(`tools/call was not answered with a result: ${JSON.stringify(message)}`);
    return message.result as CallToolResult;
  }

  it('hands the tool the caller the route built, and sends NeonPanel its token', async () => {
    const caller = callerOf(verified, 'alice-token', 'req-read');
    const result = await callAs(caller, 'list_companies', {});
    expect(result.isError).toBeFalsy();
    expect(seen.at(-1)).toBe(caller);
    expect(authorizations.at(-1)).toBe('Bearer alice-token');
  });

  it("refuses a write on the caller's read-only view and audits it with the caller's ids", async () => {
    const caller: Caller = { ...callerOf(verified, 'alice-token', 'req-write'), view: { readOnly: true } };
    const sent = authorizations.length;
    const result = await callAs(caller, writeTool.name, {});
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('read-only connection');
    expect(authorizations.length).toBe(sent);
    expect(audited.at(-1)).toMatchObject({
      tool: writeTool.name,
      sub: 'alice',
      clientId: 'claude',
      requestId: 'req-write',
      outcome: 'read_only',
    });
  });
});
