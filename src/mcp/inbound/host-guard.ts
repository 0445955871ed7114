import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { ServerResponse } from 'node:http';
import type { Config } from '../../config/index.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Loopback addresses in every spelling `BlockList` normalises (`::ffff:127.0.0.1`, `0:0:0:0:0:0:0:1`). */
const LOOPBACK_ADDRESSES = new BlockList();
LOOPBACK_ADDRESSES.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK_ADDRESSES.addAddress('::1', 'ipv6');

const unbracketed = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/**
 * True for a listen address that only this machine can reach. Give it the address the server binds
 * (`bindAddress`): a name or another spelling of an address (`127.1`) is not recognised here.
 */
export function isLoopbackBind(host: string): boolean {
  const h = unbracketed(host.toLowerCase());
  if (h === 'localhost') return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK_ADDRESSES.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The address the server binds for HOST: an IP address as given, a name (or `127.1`, `0x7f.0.0.1`)
 * resolved as `listen` would resolve it. The bridge binds this address and decides the DNS-rebinding
 * guard from it: comparing HOST's spelling let `HOST=127.1` turn the guard off.
 */
export async function bindAddress(host: string): Promise<string> {
  const name = unbracketed(host);
  return isIP(name) !== 0 ? name : (await lookup(name)).address;
}

/** Splits a Host header into lower-case hostname and port (`[::1]:3000` → `[::1]`, `3000`). */
function splitHost(hostHeader: string): { hostname: string; port: string } {
  const value = hostHeader.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  return match ? { hostname: match[1] ?? '', port: match[2] ?? '' } : { hostname: '', port: '' };
}

/**
 * A test of Host headers against this server's names: localhost, 127.0.0.1 or [::1] on any port, or
 * the host of MCP_PUBLIC_URL (its port, or none for the scheme's default). The URL is read once here,
 * not per request.
 */
export function hostMatcher(publicUrl: string): (hostHeader: string | undefined) => boolean {
  const url = new URL(publicUrl);
  const publicName = url.hostname.toLowerCase();
  const publicPort = url.port || (url.protocol === 'https:' ? '443' : '80');
  return (hostHeader) => {
    if (!hostHeader) return false;
    const { hostname, port } = splitHost(hostHeader);
    if (LOOPBACK_NAMES.has(hostname)) return true;
    return hostname === publicName && (port === '' || port === publicPort);
  };
}

/**
 * The one Host test of this deployment: `hostMatcher` when the bridge listens on a loopback address,
 * every Host otherwise. `refuseForeignHost` answers what it refuses.
 */
export function hostAllowed(config: Pick<Config, 'host' | 'publicUrl'>): (hostHeader: string | undefined) => boolean {
  return isLoopbackBind(config.host) ? hostMatcher(config.publicUrl) : () => true;
}

/**
 * DNS-rebinding protection: when the bridge listens on a loopback address, a web page whose domain was
 * re-pointed at 127.0.0.1 reaches it with its own name in `Host`; `hostAllowed` refuses those, and this
 * answers them: 403 with a JSON body that says what to change if the name is real.
 */
export function refuseForeignHost(res: ServerResponse, host: string | undefined, publicUrl: string): void {
  const body = JSON.stringify({
    error: 'forbidden_host',
    error_description:
      `Host "${(host ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 100)}" is not allowed: this server listens on ` +
      `a loopback address and answers only localhost, 127.0.0.1, [::1] and ${new URL(publicUrl).host} (MCP_PUBLIC_URL), ` +
      'to block DNS-rebinding attacks. If this is your real host name, set MCP_PUBLIC_URL to the URL you use.',
  });
  res
    .writeHead(403, {
      'Cache-Control': 'no-store',
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    })
    .end(body);
}
