/**
 * Each MCP transport as clients use it: legacy SSE's `endpoint` event, Streamable HTTP `initialize`,
 * the 2026-07-28 `server/discover` probe (and an `initialize` after it), and `GET /mcp` (never 404).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from '@modelcontextprotocol/client';
import { asObject, excerpt, probe } from '../http.js';
import { flag, pass, skip } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';
import { MCP_POST_HEADERS } from './discovery.js';

const CLIENT_INFO = { name: 'neonpanel-mcp-doctor', version: '1' };

/** Clients of the selected profiles that need `pick`; the verdict is fail when any does, else warn. */
function severityFor(ctx: DoctorContext, needs: (c: DoctorContext['clients'][number]) => boolean) {
  const who = ctx.clients.filter(needs).map((c) => c.name);
  return { severity: who.length > 0 ? ('fail' as const) : ('warn' as const), who: who.join(', ') };
}

/** The JSON-RPC message in a JSON body or in the first `data:` line of an SSE body. */
export function jsonRpcFrom(text: string, contentType: string): Record<string, unknown> | undefined {
  let body = text;
  if (contentType.includes('text/event-stream')) {
    body = text
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .join('\n');
  }
  try {
    return asObject(JSON.parse(body));
  } catch {
    return undefined;
  }
}

/** `GET /sse` opens a stream whose first event is `endpoint` (2024-11-05 transport). */
export async function checkLegacySse(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Legacy HTTP+SSE (GET /sse → endpoint event)';
  const { severity, who } = severityFor(ctx, (c) => c.usesLegacySse.value);
  const res = await probe(ctx, {
    url: ctx.target.sseUrl,
    headers: { Accept: 'text/event-stream' },
    withToken: !!ctx.token,
  });
  const fixMissing = `Serve /sse and /messages (MCP_LEGACY_SSE=true, the default)${who ? ` — ${who} use it when configured with an /sse URL` : ''}, or give every user the /mcp URL.`;
  if (!res.ok) return [flag(severity, 'transport.sse', title, { detail: res.error, fix: fixMissing, curl: res.curl })];
  if (res.status === 404 || res.status === 405) {
    return [
      flag(severity, 'transport.sse', title, {
        detail: `GET /sse answered ${res.status}: legacy SSE is off.`,
        fix: fixMissing,
        curl: res.curl,
      }),
    ];
  }
  if (!ctx.token) {
    return res.status === 401
      ? [
          pass('transport.sse', title, {
            detail: '/sse exists (401 without a token; pass --token to see the endpoint event).',
            curl: res.curl,
          }),
        ]
      : [
          flag(severity, 'transport.sse', title, {
            detail: `HTTP ${res.status} without a token.`,
            fix: 'Answer GET /sse without a token with 401 and the challenge.',
            curl: res.curl,
          }),
        ];
  }
  const endpoint = /^event:\s*endpoint$/m.test(res.text) ? /^data:\s*(.*)$/m.exec(res.text)?.[1] : undefined;
  if (res.status === 200 && endpoint?.includes('sessionId=')) {
    return [
      pass('transport.sse', title, {
        detail: `first event: endpoint ${endpoint.replace(/sessionId=[^&]+/, 'sessionId=…')}.`,
        curl: res.curl,
      }),
    ];
  }
  return [
    flag(severity, 'transport.sse', title, {
      detail: `HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}: ${excerpt(res.text) || '(no event)'}.`,
      fix: 'The first event on /sse must be `event: endpoint` with data /messages?sessionId=…; check that no proxy buffers the stream.',
      curl: res.curl,
    }),
  ];
}

/** An authenticated 2025-11-25 `initialize` on /mcp, as every 2025-era client opens. */
function sendInitialize(ctx: DoctorContext) {
  return probe(ctx, {
    method: 'POST',
    url: ctx.target.mcpUrl,
    headers: MCP_POST_HEADERS,
    withToken: true,
    body: {
      jsonrpc: '2.0',
      id: 'doctor-initialize',
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: CLIENT_INFO },
    },
  });
}

/** An authenticated 2026-07-28 `server/discover` on /mcp (no session), as ChatGPT and Claude probe. */
function sendDiscover(ctx: DoctorContext) {
  return probe(ctx, {
    method: 'POST',
    url: ctx.target.mcpUrl,
    withToken: true,
    headers: { ...MCP_POST_HEADERS, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'server/discover' },
    body: {
      jsonrpc: '2.0',
      id: 'doctor-discover',
      method: 'server/discover',
      params: {
        _meta: {
          [PROTOCOL_VERSION_META_KEY]: '2026-07-28',
          [CLIENT_INFO_META_KEY]: CLIENT_INFO,
          [CLIENT_CAPABILITIES_META_KEY]: {},
        },
      },
    },
  });
}

/** Authenticated `initialize` over Streamable HTTP with the newest 2025 revision. */
export async function checkStreamableInitialize(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Streamable HTTP initialize (POST /mcp)';
  if (!ctx.token) return [skip('transport.streamable', title, 'Needs --token.')];
  const res = await sendInitialize(ctx);
  if (!res.ok)
    return [
      flag('fail', 'transport.streamable', title, { detail: res.error, fix: 'Make /mcp reachable.', curl: res.curl }),
    ];
  const message = jsonRpcFrom(res.text, res.headers.get('content-type') ?? '');
  const result = asObject(message?.['result']);
  if (res.status === 200 && result && typeof result['protocolVersion'] === 'string') {
    const session = res.headers.get('mcp-session-id') ? ', with a session' : ', stateless';
    return [
      pass('transport.streamable', title, {
        detail: `negotiated ${result['protocolVersion']}${session}.`,
        curl: res.curl,
      }),
    ];
  }
  const reason = res.status === 401 ? ' (the token was refused; see the token checks)' : '';
  return [
    flag('fail', 'transport.streamable', title, {
      detail: `HTTP ${res.status}${reason}: ${excerpt(res.text)}`,
      fix:
        res.status === 401
          ? 'Use a token the server accepts (the token checks say what is wrong with this one).'
          : 'Answer initialize on /mcp with a JSON-RPC result; every major client still starts with it.',
      curl: res.curl,
    }),
  ];
}

/** 2026-07-28 `server/discover`: a JSON result, or a clean JSON `-32601` so clients fall back to initialize. */
export async function checkServerDiscover(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = '2026-07-28 server/discover (POST /mcp)';
  if (!ctx.token) return [skip('transport.discover', title, 'Needs --token.')];
  const { severity, who } = severityFor(ctx, (c) => c.probesServerDiscover.value);
  const res = await sendDiscover(ctx);
  const fix = `Answer server/discover with a JSON result or a JSON-RPC -32601 as application/json${who ? ` (${who} probes it first and gives up on anything else)` : ''}.`;
  if (!res.ok) return [flag(severity, 'transport.discover', title, { detail: res.error, fix, curl: res.curl })];
  const type = res.headers.get('content-type') ?? '';
  const message = jsonRpcFrom(res.text, type);
  const error = asObject(message?.['error']);
  if (!type.includes('application/json')) {
    return [
      flag(severity, 'transport.discover', title, {
        detail: `HTTP ${res.status} as ${type || 'no content type'}: ${excerpt(res.text)}`,
        fix,
        curl: res.curl,
      }),
    ];
  }
  if (res.status === 200 && asObject(message?.['result'])) {
    return [
      pass('transport.discover', title, {
        detail: 'answered with a discover result (application/json).',
        curl: res.curl,
      }),
    ];
  }
  if (error?.['code'] === -32601) {
    return [
      pass('transport.discover', title, { detail: 'clean -32601: clients fall back to initialize.', curl: res.curl }),
    ];
  }
  return [
    flag(severity, 'transport.discover', title, {
      detail: `HTTP ${res.status}, error ${JSON.stringify(error ?? message ?? excerpt(res.text))}.`,
      fix,
      curl: res.curl,
    }),
  ];
}

/**
 * One connection, two eras: `server/discover` (2026-07-28) and then a 2025-11-25 `initialize` on the same
 * URL, as Claude Code 2.1.280 sends them. The second must still be answered as a 2025 handshake.
 */
export async function checkDiscoverThenInitialize(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'server/discover, then initialize on the same URL';
  if (!ctx.token) return [skip('transport.discover-initialize', title, 'Needs --token.')];
  const { severity, who } = severityFor(ctx, (c) => c.initializeAfterDiscover.value);
  const discover = await sendDiscover(ctx);
  const discovered =
    discover.ok && asObject(jsonRpcFrom(discover.text, discover.headers.get('content-type') ?? '')?.['result']);
  const res = await sendInitialize(ctx);
  const first = discovered ? 'discover answered with a result' : 'discover was not answered with a result';
  const result = res.ok
    ? asObject(jsonRpcFrom(res.text, res.headers.get('content-type') ?? '')?.['result'])
    : undefined;
  if (res.ok && res.status === 200 && typeof result?.['protocolVersion'] === 'string') {
    return [
      pass('transport.discover-initialize', title, {
        detail: `${first}; the initialize after it negotiated ${result['protocolVersion']}.`,
        curl: res.curl,
      }),
    ];
  }
  return [
    flag(severity, 'transport.discover-initialize', title, {
      detail: `${first}; the initialize after it got ${res.ok ? `HTTP ${res.status}: ${excerpt(res.text)}` : res.error}.`,
      fix: `Keep answering a 2025-11-25 initialize after a server/discover on the same URL (no state from the discover may refuse it)${who ? `; ${who} send both` : ''}.`,
      curl: res.curl,
    }),
  ];
}

/** `GET /mcp` without a session: 405 or a stream (401 before auth), never 404. */
export async function checkGetMcp(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'GET /mcp is not 404';
  const { severity, who } = severityFor(ctx, (c) => c.getOnMcpMustNotBe404.value);
  const res = await probe(ctx, {
    url: ctx.target.mcpUrl,
    headers: { Accept: 'text/event-stream' },
    withToken: !!ctx.token,
    headersOnly: true,
  });
  if (!res.ok)
    return [flag(severity, 'transport.get', title, { detail: res.error, fix: 'Make /mcp reachable.', curl: res.curl })];
  if ([200, 401, 405].includes(res.status)) {
    return [pass('transport.get', title, { detail: `HTTP ${res.status}.`, curl: res.curl })];
  }
  return [
    flag(severity, 'transport.get', title, {
      detail: `HTTP ${res.status}.`,
      fix: `Answer GET /mcp with 405 (Allow: POST) or an SSE stream${who ? `; ${who} treat a 404 as "no MCP server here"` : ''}.`,
      curl: res.curl,
    }),
  ];
}
