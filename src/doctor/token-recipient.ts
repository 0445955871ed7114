/**
 * Where the doctor may send the user's token. The probed server is what is under test, so it cannot be
 * trusted to say where else the token may go: its `GET /` or its metadata can name any URL, and a
 * hostile server would name its own collector.
 */
import { decodeJwt } from 'jose';
import type { DoctorContext } from './types.js';

/** Host names that only reach this machine, where plain http carries nothing off it. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The origin of the issuer that minted the token (its `iss`), when the token says. */
function tokenIssuerOrigin(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' && URL.canParse(iss) ? new URL(iss).origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why `url` may not receive the token, or undefined when it may: it must be on the origin under test,
 * the `--api` origin the user gave, or the origin of the token's own issuer (`iss`), and reached over
 * https (plain http on a loopback address only).
 */
export function tokenRefusal(ctx: Pick<DoctorContext, 'target' | 'apiUrl' | 'token'>, url: string): string | undefined {
  if (!URL.canParse(url)) return `${url} is not a URL`;
  const { origin, protocol, hostname } = new URL(url);
  if (protocol !== 'https:' && !(protocol === 'http:' && isLoopbackHost(hostname))) {
    return `${origin} is not https, and the token would cross the network in clear text`;
  }
  const trusted = [ctx.target.origin];
  if (ctx.apiUrl && URL.canParse(ctx.apiUrl)) trusted.push(new URL(ctx.apiUrl).origin);
  const issuer = ctx.token ? tokenIssuerOrigin(ctx.token) : undefined;
  if (issuer) trusted.push(issuer);
  if (trusted.includes(origin)) return undefined;
  return `${origin} is neither the server under test, nor --api, nor the token's issuer; the server named it, and the doctor sends the token only where you point it`;
}
