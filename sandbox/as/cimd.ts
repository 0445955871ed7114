/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2026-07-28
 * authorization): a `client_id` that is an https URL names a JSON document of the client's metadata,
 * which the server fetches instead of the client registering. The document is fetched under the guards of
 * cimd-fetch.ts, checked (its `client_id` is its own URL, no shared-secret authentication) and cached as
 * long as the answer's Cache-Control or Expires allows, within a bound.
 */

import { customFetch, type FetchImplementation } from 'jose';
import { type ClientMetadata, type ClientRecord, parseRegistration } from './clients.js';
import { type FetchedBody, FetchRefused, type GuardedFetchOptions, guardedFetch } from './cimd-fetch.js';
import { OAuthError } from './errors.js';

/** How the sandbox treats metadata documents; every field is optional. */
export interface CimdSettings {
  /** Documents (and their `jwks_uri`) on loopback, over http too: for tests and local trials. Default false. */
  allowLoopback?: boolean;
  /** Documents on private, link-local and reserved addresses. Default false. */
  allowPrivateAddresses?: boolean;
  /** An extra CA certificate (PEM) trusted for https documents, e.g. a test's own. */
  ca?: string;
  /** Largest document accepted, in bytes; default 5120 (the draft's suggestion). */
  maxBytes?: number;
  /** Time for the whole fetch; default 5000 ms. */
  timeoutMs?: number;
  /** Longest a document is cached whatever its headers say; default one day. */
  maxCacheSeconds?: number;
}

/** Methods a metadata document may declare: there is no registration that could hand out a secret. */
const DOCUMENT_AUTH_METHODS: ReadonlySet<string> = new Set(['none', 'private_key_jwt']);
/** Freshness of a document whose answer says nothing about caching. */
const DEFAULT_CACHE_SECONDS = 300;
/** Documents kept at most; the oldest goes first. */
const MAX_CACHED = 1000;

/** True when `clientId` is meant as a metadata document's URL rather than a registered id. */
export function isMetadataDocumentUrl(clientId: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(clientId);
}

/** The draft's rules for the URL itself (beyond what any fetched URL must meet), or undefined when it is fine. */
function clientIdUrlProblem(clientId: string, url: URL): string | undefined {
  if (url.pathname === '/' || url.pathname === '') return 'it must have a path (not just the origin)';
  const rawPath = clientId.slice(clientId.indexOf('//') + 2).replace(/^[^/?#]*/, '');
  if (/(^|\/)\.\.?(\/|$|\?|#)/.test(rawPath)) return 'it must not contain "." or ".." path segments';
  return undefined;
}

/** Seconds the answer may be reused: Cache-Control max-age, else Expires, else a default; no-store/no-cache: 0. */
export function freshnessSeconds(headers: Record<string, string | string[] | undefined>, maxSeconds: number): number {
  const cacheControl = String(headers['cache-control'] ?? '').toLowerCase();
  let seconds = DEFAULT_CACHE_SECONDS;
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/.test(cacheControl)) seconds = 0;
  else {
    const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/.exec(cacheControl)?.[1];
    if (maxAge !== undefined) seconds = Number(maxAge);
    else if (typeof headers.expires === 'string') {
      const expires = Date.parse(headers.expires);
      const date = typeof headers.date === 'string' ? Date.parse(headers.date) : Date.now();
      seconds = Number.isNaN(expires) ? 0 : Math.floor((expires - (Number.isNaN(date) ? Date.now() : date)) / 1000);
    }
  }
  return Math.min(Math.max(seconds, 0), maxSeconds);
}

function refusal(clientId: string, problem: string): OAuthError {
  return new OAuthError('invalid_client', `client metadata document ${clientId}: ${problem}`);
}

/** The document's metadata, checked as the draft and this server require; throws `invalid_client` naming the problem. */
function parseDocument(clientId: string, document: unknown): ClientMetadata {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw refusal(clientId, 'it is not a JSON object');
  }
  const fields = document as Record<string, unknown>;
  if (fields.client_id !== clientId) {
    throw refusal(
      clientId,
      `its client_id ${JSON.stringify(fields.client_id ?? null)} differs from the URL it was fetched from`,
    );
  }
  for (const secret of ['client_secret', 'client_secret_expires_at']) {
    if (secret in fields) throw refusal(clientId, `it must not contain ${secret} (a document is public)`);
  }
  const method = fields.token_endpoint_auth_method;
  if (typeof method !== 'string' || !DOCUMENT_AUTH_METHODS.has(method)) {
    const got = method === undefined ? 'nothing, which means client_secret_basic' : JSON.stringify(method);
    throw refusal(
      clientId,
      `token_endpoint_auth_method must be "none" or "private_key_jwt" (a document cannot use a shared secret); it declares ${got}`,
    );
  }
  const { client_id: _id, ...metadata } = fields;
  try {
    return parseRegistration(metadata, { rejectChatgptRedirect: false });
  } catch (error) {
    if (error instanceof OAuthError) throw refusal(clientId, error.description);
    throw error;
  }
}

/** Resolves metadata-document client ids, with their cache. */
export class ClientMetadataDocuments {
  private readonly cache = new Map<string, { client: ClientRecord; expiresAt: number }>();
  /** Fetches under way: requests naming the same document at once share one fetch. */
  private readonly inFlight = new Map<string, Promise<ClientRecord>>();
  private readonly fetchOptions: GuardedFetchOptions;
  private readonly maxCacheSeconds: number;
  /** For jose's remote key sets: a document's `jwks_uri` is fetched under the same guards as the document. */
  readonly jwksFetch: { [customFetch]: FetchImplementation };

  constructor(settings: CimdSettings = {}) {
    this.fetchOptions = {
      allowLoopback: settings.allowLoopback ?? false,
      allowPrivateAddresses: settings.allowPrivateAddresses ?? false,
      ca: settings.ca,
      maxBytes: settings.maxBytes ?? 5120,
      timeoutMs: settings.timeoutMs ?? 5000,
    };
    this.maxCacheSeconds = settings.maxCacheSeconds ?? 86_400;
    this.jwksFetch = {
      [customFetch]: async (url) => {
        const { body } = await guardedFetch(
          new URL(url),
          this.fetchOptions,
          'application/jwk-set+json, application/json',
        );
        return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
      },
    };
  }

  /** The client `clientId` names, from the cache or its document; throws `invalid_client` (400) naming the problem. */
  resolve(clientId: string): Promise<ClientRecord> {
    const cached = this.cache.get(clientId);
    if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached.client);
    this.cache.delete(clientId);
    let pending = this.inFlight.get(clientId);
    if (!pending) {
      pending = this.load(clientId).finally(() => this.inFlight.delete(clientId));
      this.inFlight.set(clientId, pending);
    }
    return pending;
  }

  private async load(clientId: string): Promise<ClientRecord> {
    const url = URL.canParse(clientId) ? new URL(clientId) : undefined;
    if (!url) throw refusal(clientId, 'the client_id is not a valid URL');
    const problem = clientIdUrlProblem(clientId, url);
    if (problem) throw refusal(clientId, problem);
    let answer: FetchedBody;
    try {
      answer = await guardedFetch(url, this.fetchOptions, 'application/json');
    } catch (error) {
      if (error instanceof FetchRefused) throw refusal(clientId, error.message);
      throw error;
    }
    const type = String(answer.headers['content-type'] ?? '');
    if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
      throw refusal(clientId, `it is served as ${type || 'no content type'}, expected application/json`);
    }
    let document: unknown;
    try {
      document = JSON.parse(answer.body);
    } catch {
      throw refusal(clientId, 'it is not valid JSON');
    }
    const client: ClientRecord = { clientId, metadata: parseDocument(clientId, document), fromMetadataDocument: true };
    const seconds = freshnessSeconds(answer.headers, this.maxCacheSeconds);
    if (seconds > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(clientId, { client, expiresAt: Date.now() + seconds * 1000 });
    }
    return client;
  }
}
