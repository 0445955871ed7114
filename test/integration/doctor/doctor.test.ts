/**
 * The doctor against the real bridge and sandbox: in good order everything passes, and each broken
 * deployment is diagnosed by the right check with the right fix.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../sandbox/index.js';
import type { CheckResult, DoctorOptions, DoctorReport } from '../../../src/doctor/index.js';
import { runDoctor } from '../../../src/doctor/index.js';
import { sendJson, serve } from '../../helpers/doctor-context.js';
import { type Stack, startStack } from '../../helpers/stack.js';
import { startCorsStrippingProxy, startDoctorStack, startFixtureMcpServer } from './fixtures.js';

let stack: Stack;
let token: string;

beforeAll(async () => {
  ({ stack, token } = await startDoctorStack());
});
afterAll(() => stack.close());
afterEach(() => stack.sandbox.misbehave.reset());

const doctor = (options: Partial<DoctorOptions> = {}) => runDoctor({ url: `${stack.url}/mcp`, token, ...options });

const byId = (report: DoctorReport, id: string): CheckResult => {
  const result = report.results.find((r) => r.id === id);
  if (!result) throw new Error(`no result ${id}; got ${report.results.map((r) => r.id).join(', ')}`);
  return result;
};
const failed = (report: DoctorReport) => report.results.filter((r) => r.status === 'fail').map((r) => r.id);

describe('doctor against a deployment in good order', () => {
  it('passes every check, registration included, and reports ok', async () => {
    const report = await doctor({ register: true });
    expect(failed(report)).toEqual([]);
    // The sandbox, like NeonPanel 1.2, registers clients but offers no client ID metadata documents.
    expect(report.results.filter((r) => r.status === 'warn').map((r) => r.id)).toEqual(['as.cimd']);
    expect(report.ok).toBe(true);
    for (const id of [
      'server.info',
      'auth.challenge',
      'prm.mcp',
      'prm.root',
      'as.issuer',
      'as.mirror',
      'jwks',
      'transport.sse',
      'transport.discover',
      'token.aud',
      'tools.call',
      'api.reach',
      'register.chatgpt',
      'authorize.claude',
      'server.tls',
      'as.oidc',
      'authorize.slash.claude-code',
      'tools.search',
      'tools.fetch',
      'tools.budget.claude-code',
      'transport.discover-initialize',
      'as.registration',
      'registration.claude',
    ]) {
      expect(byId(report, id).status, id).toBe('pass');
    }
    expect(byId(report, 'server.tls').detail).toContain('local test deployment');
    expect(byId(report, 'server.info').detail).toContain(
      'Token audience policy: default (MCP_AUDIENCE unset): a token without aud is accepted',
    );
    expect(byId(report, 'as.oidc').detail).toContain('absent (HTTP 404)');
    expect(byId(report, 'tools.fetch').detail).toMatch(/ at https?:\/\//);
    expect(byId(report, 'registration.claude').detail).toContain('would send its metadata URL');
    expect(byId(report, 'cimd').status).toBe('skip');
    expect(JSON.stringify(report)).not.toContain(token);
  });
});

describe('doctor at an issuer that accepts client ID metadata documents', () => {
  let cimdStack: Stack;
  let document: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    cimdStack = await startStack({
      env: { MCP_SCOPES: 'openid' },
      logLevel: 'warn',
      sandbox: { cimd: { allowLoopback: true } },
    });
    // A document the user hosts, as --client-metadata-url names it.
    document = await serve((_req, res, origin) =>
      sendJson(res, 200, {
        client_id: `${origin}/client.json`,
        client_name: 'Doctor test client',
        redirect_uris: ['http://127.0.0.1/oauth/callback'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  afterAll(async () => {
    await document?.close();
    await cimdStack?.close();
  });

  it('says which clients use CIMD, and --register sends a CIMD authorize request for each', async () => {
    const report = await runDoctor({
      url: `${cimdStack.url}/mcp`,
      token: await cimdStack.tokenFor('alice', { aud: `${cimdStack.url}/mcp` }),
      clients: ['chatgpt', 'claude-code', 'cursor', 'mcp-remote'],
      register: true,
      clientMetadataUrl: `${document.url}/client.json`,
    });
    expect(byId(report, 'as.cimd').status).toBe('pass');
    expect(byId(report, 'registration.chatgpt').detail).toBe('client ID metadata document (private_key_jwt).');
    expect(byId(report, 'registration.cursor').detail).toMatch(/^dynamic registration/);
    // ChatGPT's metadata URL is per server and mcp-remote's opt-in: both try the user's document.
    for (const id of ['cimd.chatgpt', 'cimd.mcp-remote']) {
      expect(byId(report, id)).toMatchObject({
        status: 'pass',
        detail: `client_id ${document.url}/client.json, redirect_uri http://127.0.0.1/oauth/callback: accepted (HTTP 200 (login page)).`,
      });
    }
    // Claude Code's public document is on claude.ai, which the sandbox cannot fetch: the issuer's refusal is shown.
    expect(byId(report, 'cimd.claude-code')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('client_id https://claude.ai/oauth/claude-code-client-metadata'),
      fix: expect.stringContaining('Have the issuer fetch https://claude.ai/oauth/claude-code-client-metadata'),
    });
    expect(report.results.some((r) => r.id === 'cimd.cursor')).toBe(false);
  });

  it('a document whose client_id is not its URL is reported without asking the issuer', async () => {
    const report = await runDoctor({
      url: `${cimdStack.url}/mcp`,
      clients: ['chatgpt'],
      register: true,
      clientMetadataUrl: `${document.url}/elsewhere.json`,
    });
    expect(byId(report, 'cimd.chatgpt')).toMatchObject({
      status: 'fail',
      detail: `the document's client_id is "${document.url}/client.json", not its URL ${document.url}/elsewhere.json.`,
    });
  });
});

describe('doctor against broken deployments', () => {
  it('wrong NEONPANEL_ISSUER: the issuer identifier and the token issuer fail, naming the right value', async () => {
    const wrong = stack.sandbox.issuer.replace('127.0.0.1', 'localhost');
    const bridge = await stack.startInstance({ NEONPANEL_ISSUER: wrong });
    const report = await runDoctor({ url: `${bridge.url}/mcp`, token, clients: ['chatgpt'] });
    expect(byId(report, 'as.issuer')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining(`NEONPANEL_ISSUER=${stack.sandbox.issuer}`),
    });
    expect(byId(report, 'token.iss').status).toBe('fail');
    expect(report.ok).toBe(false);
  });

  it('MCP_PUBLIC_URL not matching the URL used: challenge and metadata fail with the value to set', async () => {
    const bridge = await stack.startInstance({ MCP_PUBLIC_URL: 'https://mcp.example.com' });
    const report = await runDoctor({ url: `${bridge.url}/mcp`, clients: ['claude'] });
    for (const id of ['auth.challenge', 'prm.mcp']) {
      expect(byId(report, id)).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining(`MCP_PUBLIC_URL=${bridge.url}`),
      });
    }
  });

  it('an issuer that rejects resource: the authorize request fails with invalid_target', async () => {
    stack.sandbox.misbehave.set({ rejectResource: true });
    const report = await doctor({ clients: ['chatgpt'], register: true });
    const authorize = byId(report, 'authorize.chatgpt');
    expect(authorize.status).toBe('fail');
    expect(authorize.detail).toContain('invalid_target');
    expect(authorize.fix).toContain('RFC 8707 resource');
  });

  it("an issuer that refuses ChatGPT's per-connector redirect URI: ChatGPT's registration fails, Claude's passes", async () => {
    stack.sandbox.misbehave.set({ rejectChatgptRedirect: true });
    const report = await doctor({ clients: ['chatgpt', 'claude'], register: true });
    expect(byId(report, 'register.chatgpt')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('https://chatgpt.com/connector/oauth/{id}'),
    });
    expect(byId(report, 'register.claude').status).toBe('pass');
  });

  it('an issuer that refuses resource with a trailing slash: a warning for Claude Code, nothing for ChatGPT', async () => {
    stack.sandbox.misbehave.set({ rejectResourceTrailingSlash: true });
    const report = await doctor({ clients: ['claude-code', 'chatgpt'], register: true });
    expect(byId(report, 'authorize.claude-code').status).toBe('pass');
    const slash = byId(report, 'authorize.slash.claude-code');
    expect(slash.status).toBe('warn');
    expect(slash.detail).toContain(`resource=${stack.url}/mcp/ refused: invalid_target`);
    expect(slash.fix).toContain('trailing slash');
    expect(report.results.some((r) => r.id === 'authorize.slash.chatgpt')).toBe(false);
    expect(report.ok).toBe(true);
  });

  it('a partial fake openid-configuration at the issuer: fails for ChatGPT, naming the missing fields', async () => {
    stack.sandbox.misbehave.set({ fakeOpenidConfiguration: true });
    const report = await doctor({ clients: ['chatgpt'] });
    const oidc = byId(report, 'as.oidc');
    expect(oidc.status).toBe('fail');
    expect(oidc.detail).toContain('missing subject_types_supported, id_token_signing_alg_values_supported');
    expect(oidc.fix).toContain('quilombo#140');
    const claude = await doctor({ clients: ['claude'] });
    expect(byId(claude, 'as.oidc').status).toBe('warn');
  });

  it('an issuer whose scopes do not match: scope coherence fails naming the scope', async () => {
    stack.sandbox.misbehave.set({ scopesSupported: ['dcr.create'] });
    const report = await doctor({ clients: ['chatgpt'] });
    expect(byId(report, 'as.scopes')).toMatchObject({ status: 'fail', fix: expect.stringContaining('openid') });
  });

  it("an issuer that ignores resource in aud: the token's audience fails", async () => {
    stack.sandbox.misbehave.set({ ignoreResourceInAud: true });
    const noAud = await stack.tokenFor('alice');
    const report = await doctor({ token: noAud, clients: ['chatgpt'] });
    expect(byId(report, 'token.aud')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('resource parameter into aud'),
    });
  });

  it('CORS preflight stripped by a proxy: the preflight check fails for each browser origin', async () => {
    let target = '';
    const proxy = await startCorsStrippingProxy(() => target);
    const bridge = await stack.startInstance({ MCP_PUBLIC_URL: proxy.url });
    target = bridge.url;
    try {
      const report = await runDoctor({ url: `${proxy.url}/mcp`, clients: ['chatgpt', 'claude'] });
      for (const origin of ['https://chatgpt.com', 'https://claude.ai']) {
        const cors = byId(report, `cors.mcp.${origin}`);
        expect(cors.status).toBe('fail');
        expect(cors.detail).toContain('Access-Control-Allow-Origin is missing');
      }
      expect(byId(report, 'prm.mcp').status).toBe('pass');
    } finally {
      await proxy.close();
    }
  });

  it('CORS off at the issuer: fails for MCP Inspector, which does OAuth from the browser', async () => {
    stack.sandbox.misbehave.set({ corsOff: true });
    const report = await doctor({ clients: ['inspector'] });
    expect(byId(report, 'cors.issuer.http://localhost:6274')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('Failed to fetch'),
    });
    expect(byId(report, 'cors.mcp.http://localhost:6274').status).toBe('pass');
  });

  it('JWKS unreachable: the key check fails', async () => {
    stack.sandbox.misbehave.set({ jwksDown: true });
    const report = await doctor({ clients: ['claude'] });
    expect(byId(report, 'jwks')).toMatchObject({ status: 'fail', detail: expect.stringContaining('503') });
  });

  it('expired token: the expiry check says how long ago', async () => {
    const expired = await stack.tokenFor('alice', { aud: `${stack.url}/mcp`, expiresIn: -600 });
    const report = await doctor({ token: expired, clients: ['claude'] });
    expect(byId(report, 'token.exp')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^expired 10 min ago/),
    });
    expect(JSON.stringify(report)).not.toContain(expired);
  });

  it('token from another issuer: issuer and key checks fail', async () => {
    const other = await startSandbox();
    try {
      const foreign = await other.issueToken({ sub: 'alice', aud: `${stack.url}/mcp` });
      const report = await doctor({ token: foreign, clients: ['claude'] });
      expect(byId(report, 'token.iss')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(other.issuer),
      });
      expect(byId(report, 'token.kid').status).toBe('fail');
    } finally {
      await other.close();
    }
  });

  it('a dotted tool name and a top-level anyOf: linted per client with the fix', async () => {
    const fixture = await startFixtureMcpServer([
      { name: 'companies.list', inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } },
      {
        name: 'find_item',
        inputSchema: {
          type: 'object',
          anyOf: [{ required: ['sku'] }, { required: ['id'] }],
          properties: { sku: { type: 'string' }, id: { type: 'string' } },
        },
        annotations: { readOnlyHint: true, destructiveHint: false, title: 'Find' },
      },
    ]);
    try {
      const report = await runDoctor({ url: `${fixture.url}/mcp`, token, clients: ['chatgpt', 'claude'] });
      expect(byId(report, 'tools.lint.chatgpt')).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining('Rename tool "companies.list"'),
      });
      const claude = byId(report, 'tools.lint.claude');
      expect(claude.status).toBe('fail');
      expect(claude.detail).toContain('inputSchema of "find_item" has anyOf at the top level');
    } finally {
      await fixture.close();
    }
  });

  it('a view without the resources capability: the apps check judges the tools the tools check listed', async () => {
    const fixture = await startFixtureMcpServer([
      {
        name: 'show_stock',
        inputSchema: { type: 'object', properties: {} },
        annotations: { readOnlyHint: true },
        _meta: { ui: { resourceUri: 'ui://stock' } },
      },
    ]);
    let lists = 0;
    let listsAfterTools = -1;
    let listsBeforeApps = -1;
    const counting: typeof fetch = (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"tools/list"')) lists++;
      return fetch(input, init);
    };
    try {
      const report = await runDoctor(
        { url: `${fixture.url}/mcp`, token, clients: ['chatgpt'], fetch: counting },
        {
          // A check's results are emitted once it has finished, so these bracket the apps check's requests.
          onResult: (result) => {
            if (result.id.startsWith('tools.')) listsAfterTools = lists;
            if (result.id.startsWith('apps.') && listsBeforeApps < 0) listsBeforeApps = lists;
          },
        },
      );
      expect(byId(report, 'apps.lint.chatgpt')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('1 tools name a view but the server declares no resources capability'),
      });
      expect(listsAfterTools).toBeGreaterThan(0);
      expect(listsBeforeApps - listsAfterTools).toBe(0);
    } finally {
      await fixture.close();
    }
  });

  it("search/fetch out of ChatGPT's shape and an oversized list answer: shape fails, budget warns", async () => {
    const readOnly = { readOnlyHint: true, destructiveHint: false, title: 'T' };
    const input = { type: 'object' as const, properties: { query: { type: 'string' } } };
    const fixture = await startFixtureMcpServer(
      [
        { name: 'search', inputSchema: input, annotations: readOnly },
        {
          name: 'fetch',
          inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
          annotations: readOnly,
        },
        { name: 'list_everything', inputSchema: { type: 'object', properties: {} }, annotations: readOnly },
      ],
      {
        // A result without url: ChatGPT cannot cite it and rejects the connector.
        search: { content: [{ type: 'text', text: JSON.stringify({ results: [{ id: '1', title: 'One' }] }) }] },
        list_everything: { content: [{ type: 'text', text: 'x'.repeat(120_000) }] },
      },
    );
    try {
      const report = await runDoctor({ url: `${fixture.url}/mcp`, token, clients: ['chatgpt', 'claude-code'] });
      expect(byId(report, 'tools.search')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('results[0] lacks a non-empty url'),
        fix: expect.stringContaining("doesn't implement our specification"),
      });
      expect(report.results.some((r) => r.id === 'tools.fetch')).toBe(false);
      expect(byId(report, 'tools.budget.claude-code')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('list_everything ≈ 30000 tokens over 25000'),
        fix: expect.stringContaining('MAX_MCP_OUTPUT_TOKENS'),
      });
      const claudeOnly = await runDoctor({ url: `${fixture.url}/mcp`, token, clients: ['claude'] });
      expect(claudeOnly.results.filter((r) => /^tools\.(search|fetch|budget)/.test(r.id))).toEqual([]);
    } finally {
      await fixture.close();
    }
  });

  it('legacy SSE disabled: the legacy transport check fails for clients that use it', async () => {
    const bridge = await stack.startInstance({ MCP_LEGACY_SSE: 'false' });
    const report = await runDoctor({ url: `${bridge.url}/mcp`, token, clients: ['claude', 'cursor'] });
    expect(byId(report, 'transport.sse')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('MCP_LEGACY_SSE=true'),
    });
    const chatgptOnly = await runDoctor({ url: `${bridge.url}/mcp`, clients: ['chatgpt'] });
    expect(byId(chatgptOnly, 'transport.sse').status).toBe('warn');
  });
});
