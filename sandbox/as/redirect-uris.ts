/**
 * Redirect-URI policy: what real MCP clients register (see shared/clients.md §4) is accepted; dangerous
 * schemes and plain http to non-loopback hosts are refused. Loopback URIs match on any port (RFC 8252 §7.3).
 */

const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const CHATGPT_CONNECTOR_PREFIX = 'https://chatgpt.com/connector/oauth/';

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

function isLoopback(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Why `uri` may not be registered or used, or undefined when it is fine. */
export function redirectUriProblem(uri: unknown, options: { rejectChatgptRedirect?: boolean }): string | undefined {
  if (typeof uri !== 'string' || uri === '') return 'redirect URI must be a non-empty string';
  const url = parse(uri);
  if (!url) return `redirect URI "${uri}" is not an absolute URI`;
  if (url.hash) return `redirect URI "${uri}" must not contain a fragment (RFC 6749 §3.1.2)`;
  if (DANGEROUS_SCHEMES.has(url.protocol)) return `redirect URI "${uri}" uses the forbidden scheme ${url.protocol}`;
  if (url.protocol === 'http:' && !isLoopback(url)) {
    return `redirect URI "${uri}" uses http on a non-loopback host; use https, or http://localhost / http://127.0.0.1`;
  }
  if (options.rejectChatgptRedirect && uri.startsWith(CHATGPT_CONNECTOR_PREFIX)) {
    return `redirect URI "${uri}" is not on the allow-list`;
  }
  return undefined;
}

/** True when `requested` matches `registered`: exactly, or on another port of the same loopback URI. */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const a = parse(registered);
  const b = parse(requested);
  if (!a || !b || !isLoopback(a) || !isLoopback(b)) return false;
  return a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search;
}
