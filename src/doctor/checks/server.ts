/** Server info (`GET /`) and deep health (`GET /healthz?deep=1`). */
import { asObject, excerpt, probe } from '../http.js';
import { fail, pass, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';

/** `GET /` answers the server-info JSON. A network failure here stops the run (see run.ts). */
export async function checkServerInfo(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Server info (GET /)';
  const res = await probe(ctx, { url: `${ctx.target.origin}/`, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    ctx.facts.unreachable = true;
    return [
      fail('server.info', title, {
        detail: `${ctx.target.origin}/ — ${res.error}.`,
        fix: res.tlsRefused
          ? 'The server answered, but clients refuse its certificate: fix what the TLS certificate check (server.tls.cert) reports.'
          : `Start the bridge (npm start) or correct the URL; nothing answered at ${ctx.target.origin}.`,
        curl: res.curl,
      }),
    ];
  }
  const info = asObject(res.json);
  if (res.status !== 200 || !info) {
    return [
      fail('server.info', title, {
        detail: `HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}: ${excerpt(res.text)}`,
        fix: `Make sure ${ctx.target.origin} reaches the NeonPanel MCP bridge and not another site or a proxy error page.`,
        curl: res.curl,
      }),
    ];
  }
  ctx.facts.serverInfo = info;
  const name = String(info['name'] ?? 'unnamed');
  const version = String(info['version'] ?? '?');
  // The token audience policy can only be seen from outside where the bridge publishes it.
  const policy = asObject(info['oauth'])?.['audience_policy'];
  const audience = typeof policy === 'string' ? ` Token audience policy: ${policy}.` : '';
  return [
    pass('server.info', title, {
      detail: `${name} ${version} answers at ${ctx.target.origin}.${audience}`,
      curl: res.curl,
    }),
  ];
}

/** Lists the parts of a deep-health body whose status is not ok (nested objects with a `status`). */
export function unhealthyParts(body: Record<string, unknown>): string[] {
  const bad: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    const part = asObject(value);
    if (!part) continue;
    // Self-checks carry `status` (ok/stale/down/degraded); the issuer metadata carries `source` (live/cached/fallback).
    const status = part['status'] ?? part['source'];
    if (typeof status === 'string' && !['ok', 'pass', 'up', 'live'].includes(status)) {
      const why = part['detail'] ?? part['lastError'];
      bad.push(`${name}: ${status}${typeof why === 'string' ? ` (${why})` : ''}`);
    }
    // Some health documents group their self-checks under `checks`.
    if (name === 'checks') bad.push(...unhealthyParts(part));
  }
  return bad;
}

/** `GET /healthz?deep=1`: the server's own view of its issuer, keys, upstream and store. */
export async function checkHealth(ctx: DoctorContext): Promise<CheckResult[]> {
  const title = 'Deep health (GET /healthz?deep=1)';
  const res = await probe(ctx, { url: `${ctx.target.origin}/healthz?deep=1` });
  if (!res.ok)
    return [fail('server.health', title, { detail: res.error, fix: 'Check the bridge logs.', curl: res.curl })];
  const body = asObject(res.json);
  if (!body) {
    return [
      fail('server.health', title, {
        detail: `HTTP ${res.status}: ${excerpt(res.text)}`,
        fix: 'Serve /healthz?deep=1 as JSON from the bridge; a proxy may be answering instead.',
        curl: res.curl,
      }),
    ];
  }
  const bad = unhealthyParts(body);
  if (res.status === 200 && body['status'] === 'ok' && bad.length === 0) {
    const jwks = asObject(body['jwks']);
    const keys = jwks?.['keysFound'] !== undefined ? `, ${jwks['keysFound']} signing key(s)` : '';
    return [pass('server.health', title, { detail: `status ok${keys}.`, curl: res.curl })];
  }
  const status = String(body['status'] ?? res.status);
  const detail = `status ${status}${bad.length ? `; ${bad.join('; ')}` : ''}.`;
  const verdict = {
    detail,
    fix: bad.length
      ? `The server reports ${bad[0]}; the checks below show which setting or service causes it.`
      : 'Read the bridge logs for the failing self-check.',
    curl: res.curl,
  };
  return [
    res.status >= 500 || status === 'down'
      ? fail('server.health', title, verdict)
      : warn('server.health', title, verdict),
  ];
}
