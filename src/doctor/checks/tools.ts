/**
 * Authenticated MCP checks through a real MCP client (the official SDK): `tools/list`, per-client
 * schema lint, one read-only tool call, ChatGPT's search/fetch shape, the list tools' answer sizes,
 * and the NeonPanel API reached directly with the same token.
 */
import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { asObject, excerpt, probe } from '../http.js';
import { type LintProblem, lintTools } from '../lint.js';
import { COMMON_TOOL_RULES } from '../profiles.js';
import { fail, flag, pass, skip } from '../result.js';
import { tokenRefusal } from '../token-recipient.js';
import type { CheckResult, DoctorContext, DoctorTool } from '../types.js';
import { checkResponseBudget } from './budget.js';
import { checkDeepResearch } from './deep-research.js';

const MAX_PAGES = 20;

/** How the doctor connects: 2025-11-25 Streamable HTTP, legacy SSE, or stateless 2026-07-28 requests. */
export type ConnectionKind = 'streamable-http' | 'sse' | 'modern';

/** An SDK client connected with the context's token over `kind`. */
export async function connect(ctx: DoctorContext, kind: ConnectionKind): Promise<Client> {
  const url = kind === 'sse' ? ctx.target.sseUrl : ctx.target.mcpUrl;
  const refusal = tokenRefusal(ctx, url);
  if (refusal) throw new Error(`the token was not sent to ${url}: ${refusal}`);
  const requestInit = { headers: { Authorization: `Bearer ${ctx.token}` } };
  const transport: Transport =
    kind === 'sse'
      ? new SSEClientTransport(new URL(url), { requestInit, fetch: ctx.fetch })
      : new StreamableHTTPClientTransport(new URL(url), { requestInit, fetch: ctx.fetch });
  const client = new Client(
    { name: 'neonpanel-mcp-doctor', version: '1' },
    kind === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(transport, { timeout: ctx.timeoutMs });
  return client;
}

export async function listAll(ctx: DoctorContext, client: Client): Promise<{ tools: DoctorTool[]; bytes: number }> {
  const tools: DoctorTool[] = [];
  let bytes = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.listTools(cursor ? { cursor } : undefined, { timeout: ctx.timeoutMs });
    bytes += Buffer.byteLength(JSON.stringify(result));
    tools.push(...(result.tools as DoctorTool[]));
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return { tools, bytes };
}

/** SDK errors can be long and multi-line: keep one short line. */
export function errorText(error: unknown): string {
  return excerpt(error instanceof Error ? error.message : String(error), 240);
}

/** `tools/list` through each transport the selected clients use, the size, lint per client, and one call. */
export async function checkTools(ctx: DoctorContext): Promise<CheckResult[]> {
  if (!ctx.token) return [];
  const kinds = [...new Set(ctx.clients.flatMap((c) => c.transports.value))];
  const results: CheckResult[] = [];
  let client: Client | undefined;
  let listed: { tools: DoctorTool[]; bytes: number } | undefined;
  for (const kind of kinds.length ? kinds : (['streamable-http'] as const)) {
    const id = `tools.list.${kind}`;
    const title = `tools/list over ${kind === 'sse' ? 'legacy SSE' : 'Streamable HTTP'}`;
    try {
      const c = await connect(ctx, kind);
      const l = await listAll(ctx, c);
      results.push(pass(id, title, { detail: `${l.tools.length} tools, ${l.bytes} bytes.` }));
      if (client) await c.close();
      else {
        client = c;
        listed = l;
      }
    } catch (error) {
      const who = ctx.clients.filter((p) => p.transports.value[0] === kind).map((p) => p.name);
      results.push(
        flag(who.length > 0 ? 'fail' : 'warn', id, title, {
          detail: errorText(error),
          fix:
            kind === 'sse'
              ? 'Serve the legacy transport (MCP_LEGACY_SSE=true) for clients configured with an /sse URL, or give them the /mcp URL.'
              : 'Make tools/list answer over /mcp; the token and transport checks above say why it does not.',
        }),
      );
    }
  }
  if (!client || !listed) return results;
  try {
    ctx.facts.tools = listed.tools;
    results.push(...lintPerClient(ctx, listed.tools, listed.bytes));
    results.push(await callOneReadOnlyTool(ctx, client, listed.tools));
    results.push(...(await checkDeepResearch(ctx, client, listed.tools)));
    results.push(...(await checkResponseBudget(ctx, client, listed.tools)));
  } finally {
    await client.close().catch(() => undefined);
  }
  return results;
}

function lintPerClient(ctx: DoctorContext, tools: DoctorTool[], bytes: number): CheckResult[] {
  return ctx.clients.map((profile) => {
    const id = `tools.lint.${profile.id}`;
    const title = `Tool definitions for ${profile.name}`;
    const problems = lintTools(tools, [...profile.toolRules, ...COMMON_TOOL_RULES], bytes);
    if (problems.length === 0) {
      return pass(id, title, {
        detail: `all ${tools.length} tools meet the ${profile.toolRules.length + COMMON_TOOL_RULES.length} rule(s) of this client.`,
      });
    }
    const worst = problems.find((p) => p.severity === 'fail') ?? problems[0]!;
    return flag(worst.severity, id, title, { detail: summarise(problems), fix: worst.fix });
  });
}

function summarise(problems: LintProblem[]): string {
  const shown = problems.slice(0, 4).map((p) => `${p.message} [${p.source}]`);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  return `${shown.join('; ')}${more}.`;
}

/** A read-only tool that needs no arguments; `list_companies` when it exists. */
export function pickReadOnlyTool(tools: readonly DoctorTool[]): DoctorTool | undefined {
  const callable = tools.filter((t) => {
    const required = t.inputSchema?.['required'];
    return t.annotations?.['readOnlyHint'] === true && (!Array.isArray(required) || required.length === 0);
  });
  return callable.find((t) => t.name === 'list_companies') ?? callable[0];
}

async function callOneReadOnlyTool(ctx: DoctorContext, client: Client, tools: DoctorTool[]): Promise<CheckResult> {
  const tool = pickReadOnlyTool(tools);
  const title = 'One read-only tool call';
  if (!tool) return skip('tools.call', title, 'No read-only tool without required arguments to call.');
  try {
    const result = await client.callTool({ name: tool.name, arguments: {} }, { timeout: ctx.timeoutMs });
    const text = (result.content as { type: string; text?: string }[]).find((c) => c.type === 'text')?.text ?? '';
    if (result.isError) {
      return fail('tools.call', `${title} (${tool.name})`, {
        detail: `isError: ${excerpt(text)}`,
        fix: 'Read the error above: it names the upstream status; the API check below shows whether NeonPanel accepts this token.',
      });
    }
    return pass('tools.call', `${title} (${tool.name})`, { detail: `answered: ${excerpt(text, 100)}` });
  } catch (error) {
    return fail('tools.call', `${title} (${tool.name})`, {
      detail: errorText(error),
      fix: 'tools/call must answer with a result (isError for upstream faults), never a protocol error; check the bridge logs.',
    });
  }
}

/** Where the NeonPanel API is: --api, what the server says, or the issuer (NeonPanel serves both). */
function apiBase(ctx: DoctorContext): string | undefined {
  const info = ctx.facts.serverInfo;
  const fromInfo = asObject(info?.['neonpanel'])?.['api'] ?? asObject(info?.['upstream'])?.['url'];
  return ctx.apiUrl ?? (typeof fromInfo === 'string' ? fromInfo : undefined) ?? ctx.facts.issuer;
}

/** `GET <api>/api/v1/companies` with the same token: does NeonPanel itself accept it? */
export async function checkApi(ctx: DoctorContext): Promise<CheckResult[]> {
  if (!ctx.token) return [];
  const title = 'NeonPanel API accepts the token';
  const base = apiBase(ctx);
  if (!base) return [skip('api.reach', title, 'No API URL known; pass --api <url>.')];
  const url = `${base.replace(/\/+$/, '')}/api/v1/companies`;
  const refusal = tokenRefusal(ctx, url);
  if (refusal) {
    const detail = `The token was not sent to ${url}: ${refusal}. Pass --api <url> to check NeonPanel with it.`;
    return [skip('api.reach', title, detail)];
  }
  const res = await probe(ctx, {
    url,
    withToken: true,
    headers: { Accept: 'application/json' },
  });
  if (!res.ok) {
    return [
      fail('api.reach', title, {
        detail: res.error,
        fix: `Check NEONPANEL_API_URL; ${base} does not answer.`,
        curl: res.curl,
      }),
    ];
  }
  if (res.status === 200)
    return [pass('api.reach', title, { detail: `GET /api/v1/companies → 200 at ${base}.`, curl: res.curl })];
  const fix =
    res.status === 401
      ? 'NeonPanel refuses this token itself: get a fresh token from NeonPanel; the bridge forwards it unchanged.'
      : res.status === 403
        ? 'The token is valid but this user may not list companies; check the user and the token scope at NeonPanel.'
        : `NeonPanel answered ${res.status}; check NEONPANEL_API_URL and NeonPanel's status.`;
  return [fail('api.reach', title, { detail: `HTTP ${res.status}: ${excerpt(res.text)}`, fix, curl: res.curl })];
}
