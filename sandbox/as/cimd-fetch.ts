/**
 * Fetching a URL a client chose (its Client ID Metadata Document, that document's `jwks_uri`) with the
 * guards a server needs when strangers decide what it fetches (draft-ietf-oauth-client-id-metadata-document,
 * security considerations): https only, plain http only to loopback and only when allowed; no loopback,
 * private, link-local or reserved address unless allowed, checked for every address the host name resolves
 * to at connect time, so a second DNS answer cannot swap one in after the check; a size and a time limit;
 * redirects are not followed.
 */

import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import { type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';

/** What a guarded fetch may reach and how much it may take. */
export interface GuardedFetchOptions {
  /** Loopback addresses (127.0.0.0/8, ::1), over https or plain http: for tests and local trials. */
  allowLoopback: boolean;
  /** Private, link-local, shared and reserved addresses (10/8, 192.168/16, fe80::/10, …). */
  allowPrivateAddresses: boolean;
  /** An extra CA certificate (PEM) to trust beside the system's, e.g. a test's own. */
  ca?: string;
  maxBytes: number;
  timeoutMs: number;
}

/** A fetch refused or failed for a reason the client can act on; `message` names it. */
export class FetchRefused extends Error {}

/** A 200 answer that stayed within the limits. */
export interface FetchedBody {
  headers: IncomingHttpHeaders;
  body: string;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** RFC 6890 special-purpose ranges a public document cannot live on (IPv4-mapped IPv6 is matched as IPv4). */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why `address` may not be fetched from, or undefined when it may. */
export function addressProblem(address: string, options: GuardedFetchOptions): string | undefined {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(address, family)) {
    return options.allowLoopback ? undefined : `${address} is a loopback address`;
  }
  if (NON_PUBLIC.check(address, family)) {
    return options.allowPrivateAddresses ? undefined : `${address} is a private, link-local or reserved address`;
  }
  return undefined;
}

/** Why `url` may not be fetched at all (scheme, credentials, fragment), or undefined when it may. */
function urlProblem(url: URL, options: GuardedFetchOptions): string | undefined {
  if (url.protocol === 'http:') {
    if (!LOOPBACK_NAMES.has(url.hostname)) return 'it must use https';
    if (!options.allowLoopback) return 'it must use https (plain http is allowed only to loopback, and that is off)';
  } else if (url.protocol !== 'https:') {
    return `it must use https, not ${url.protocol.replace(/:$/, '')}`;
  }
  if (url.username || url.password) return 'it must not contain a user name or password';
  if (url.hash) return 'it must not contain a fragment';
  return undefined;
}

/** A DNS lookup that refuses the whole name when any address it resolves to is refused. */
function guardedLookup(options: GuardedFetchOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((entry) => addressProblem(entry.address, options)).find(Boolean);
      if (refused) return callback(new FetchRefused(`${hostname} resolves to ${refused}`), '', 0);
      const first = addresses[0];
      if (!first) return callback(new FetchRefused(`${hostname} has no address`), '', 0);
      // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (lookupOptions.all) return (callback as (e: null, all: LookupAddress[]) => void)(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

/** The body of a 200 answer within the limits, or a FetchRefused naming what went wrong. */
function readAnswer(response: IncomingMessage, url: URL, options: GuardedFetchOptions): Promise<FetchedBody> {
  return new Promise((resolve, reject) => {
    const status = response.statusCode ?? 0;
    const refuse = (reason: string) => {
      response.destroy();
      reject(new FetchRefused(reason));
    };
    if (status >= 300 && status < 400) {
      return refuse(
        `${url.href} answered ${status} (a redirect to ${response.headers.location ?? 'nowhere'}); redirects are not followed`,
      );
    }
    if (status !== 200) return refuse(`${url.href} answered HTTP ${status}, expected 200`);
    const declared = Number(response.headers['content-length']);
    if (declared > options.maxBytes) return refuse(`${url.href} is larger than ${options.maxBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) return refuse(`${url.href} is larger than ${options.maxBytes} bytes`);
      chunks.push(chunk);
    });
    response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    response.on('error', (error) => reject(new FetchRefused(`reading ${url.href} failed: ${error.message}`)));
    response.on('close', () => {
      if (!response.complete) reject(new FetchRefused(`${url.href} closed the connection mid-answer`));
    });
  });
}

/** GETs `url` under the guards; a refusal or failure rejects with FetchRefused. */
export async function guardedFetch(url: URL, options: GuardedFetchOptions, accept: string): Promise<FetchedBody> {
  const problem = urlProblem(url, options);
  if (problem) throw new FetchRefused(`${url.href} cannot be fetched: ${problem}`);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  // Node connects to an IP literal without a lookup, so the literal is checked here.
  const literalProblem = isIP(literal) ? addressProblem(literal, options) : undefined;
  if (literalProblem) throw new FetchRefused(`${url.href} cannot be fetched: ${literalProblem}`);
  return new Promise((resolve, reject) => {
    const common = { method: 'GET', headers: { accept }, lookup: guardedLookup(options), agent: false as const };
    const request =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...common, ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}) })
        : httpRequest(url, common);
    // The whole exchange, body included, has one deadline; the first outcome settles the promise.
    const timer = setTimeout(() => {
      reject(new FetchRefused(`${url.href} did not answer within ${options.timeoutMs} ms`));
      request.destroy();
    }, options.timeoutMs);
    request.on('response', (response) => {
      readAnswer(response, url, options)
        .then(resolve, reject)
        .finally(() => clearTimeout(timer));
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof FetchRefused ? error : new FetchRefused(`fetching ${url.href} failed: ${error.message}`));
    });
    request.end();
  });
}
