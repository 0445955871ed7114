/**
 * TLS and port (clients.md §5 check 1): https on 443 for cloud clients, plain http only on loopback,
 * and a certificate a stock client trusts.
 */
import { HTTPS_REQUIRED } from '../profiles.js';
import { fail, pass, warn } from '../result.js';
import type { CheckResult, DoctorContext } from '../types.js';
import { checkCertificate } from './tls.js';

const TITLE = 'TLS and port';

/** True for `localhost`, 127.0.0.0/8 and `[::1]`: addresses only this machine can reach. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Judges the URL's scheme and port alone, without a connection. */
export function judgeSchemeAndPort(ctx: DoctorContext): CheckResult {
  const url = new URL(ctx.target.origin);
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) {
      return pass('server.tls', TITLE, { detail: `plain http on ${url.host}: local test deployment.` });
    }
    return fail('server.tls', TITLE, {
      detail: `${ctx.target.origin} is plain http on a host other machines reach.`,
      fix: `Serve the bridge over https (a publicly trusted certificate on port 443) and give clients https://${url.hostname}/mcp; clients refuse plain http outside loopback (${HTTPS_REQUIRED.source}).`,
    });
  }
  const port = url.port || '443';
  if (port === '443') return pass('server.tls', TITLE, { detail: 'https on port 443.' });
  const who = ctx.clients.filter((c) => c.port443Only?.value);
  if (who.length === 0) return pass('server.tls', TITLE, { detail: `https on port ${port}.` });
  return warn('server.tls', TITLE, {
    detail: `https on port ${port}.`,
    fix: `Serve on port 443 (https://${url.hostname}/mcp); ${who.map((c) => c.name).join(', ')} never connect to other ports (${who[0]!.port443Only!.source}).`,
  });
}

/**
 * The URL's scheme and port (`server.tls`), then, for https, the certificate the server presents
 * (`server.tls.cert`, see tls.ts). Plain http is never probed for TLS.
 */
export async function checkTransportSecurity(ctx: DoctorContext): Promise<CheckResult[]> {
  const scheme = judgeSchemeAndPort(ctx);
  if (new URL(ctx.target.origin).protocol !== 'https:') return [scheme];
  return [scheme, ...(await checkCertificate(ctx))];
}
