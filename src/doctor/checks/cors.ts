/** CORS preflights from each selected client's browser origin, at the MCP endpoint and at the issuer. */
import { probe } from '../http.js';
import { fail, pass, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';

const REQUEST_HEADERS = ['authorization', 'content-type', 'mcp-protocol-version', 'mcp-session-id'];

/** What a preflight answer lacks for `origin`; empty when the browser would send the request. */
export function preflightProblems(status: number, headers: Headers, origin: string, wanted: string[]): string[] {
  const problems: string[] = [];
  if (status < 200 || status >= 300) problems.push(`the preflight answered ${status}`);
  const allowOrigin = headers.get('access-control-allow-origin');
  if (allowOrigin !== origin && allowOrigin !== '*') {
    problems.push(`Access-Control-Allow-Origin is ${allowOrigin ? `"${allowOrigin}"` : 'missing'}`);
  }
  const methods = (headers.get('access-control-allow-methods') ?? '').toUpperCase();
  if (methods && !methods.includes('POST') && methods !== '*')
    problems.push(`Access-Control-Allow-Methods "${methods}" lacks POST`);
  const allowed = (headers.get('access-control-allow-headers') ?? '')
    .toLowerCase()
    .split(',')
    .map((h) => h.trim());
  // Per the Fetch standard `*` never covers Authorization: it must be listed by name.
  const missing = wanted.filter((h) => !allowed.includes(h) && !(allowed.includes('*') && h !== 'authorization'));
  if (missing.length > 0) problems.push(`Access-Control-Allow-Headers lacks ${missing.join(', ')}`);
  return problems;
}

async function preflight(ctx: DoctorContext, url: string, origin: string, wanted: string[]) {
  const res = await probe(ctx, {
    method: 'OPTIONS',
    url,
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': wanted.join(', '),
    },
  });
  const problems = res.ok ? preflightProblems(res.status, res.headers, origin, wanted) : [res.error];
  return { problems, curl: res.curl };
}

/** One result per distinct browser origin for `/mcp`, and for the issuer's token and registration endpoints. */
export async function checkCors(ctx: DoctorContext): Promise<CheckResult[]> {
  const origins = [...new Set(ctx.clients.map((c) => c.browserOrigin.value).filter((o): o is string => !!o))];
  const results: CheckResult[] = [];
  for (const origin of origins) {
    const who = ctx.clients
      .filter((c) => c.browserOrigin.value === origin)
      .map((c) => c.name)
      .join(', ');
    const mcp = await preflight(ctx, ctx.target.mcpUrl, origin, REQUEST_HEADERS);
    const title = `CORS preflight from ${origin} to /mcp`;
    results.push(
      mcp.problems.length === 0
        ? pass(`cors.mcp.${origin}`, title, { detail: `allowed (${who}).`, curl: mcp.curl })
        : fail(`cors.mcp.${origin}`, title, {
            detail: `${mcp.problems.join('; ')}.`,
            fix: `Let OPTIONS requests and the Access-Control-* headers through to the bridge (it answers preflights itself); a proxy or CDN in front of ${ctx.target.origin} is answering or stripping them.`,
            curl: mcp.curl,
          }),
    );
    results.push(...(await checkIssuerCors(ctx, origin)));
  }
  return results;
}

async function checkIssuerCors(ctx: DoctorContext, origin: string): Promise<CheckResult[]> {
  const as = ctx.facts.asMetadata;
  const endpoints = ['token_endpoint', 'registration_endpoint']
    .map((field) => as?.[field])
    .filter((u): u is string => typeof u === 'string');
  if (endpoints.length === 0) return [];
  const needsIt = ctx.clients.some((c) => c.browserOrigin.value === origin && c.oauthFromBrowser.value);
  const problems: string[] = [];
  let curl = '';
  for (const url of endpoints) {
    const res = await preflight(ctx, url, origin, ['content-type']);
    curl ||= res.curl;
    if (res.problems.length > 0) problems.push(`${new URL(url).pathname}: ${res.problems.join(', ')}`);
  }
  const id = `cors.issuer.${origin}`;
  const title = `CORS preflight from ${origin} to the issuer`;
  if (problems.length === 0) return [pass(id, title, { detail: 'token and registration endpoints allow it.', curl })];
  const verdict = {
    detail: `${problems.join('; ')}.`,
    fix: `Have the issuer answer CORS preflights from ${origin} on its token and registration endpoints; browser-based clients such as MCP Inspector fail with "Failed to fetch" otherwise.`,
    curl,
  };
  return [needsIt ? fail(id, title, verdict) : warn(id, title, verdict)];
}
