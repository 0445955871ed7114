import { AuthError } from './errors.js';

/** Schemes we name back to the caller; anything else might be a bare token and is never echoed. */
const KNOWN_SCHEMES = new Set(['basic', 'digest', 'dpop', 'token', 'negotiate', 'hoba', 'mutual', 'apikey']);
const QUERY_FIELDS = ['access_token', 'token'] as const;

/** The parts of a request where a token may be found (an express Request fits). */
export interface TokenSources {
  /** Node's raw header list: duplicates of `Authorization` are visible here only (Node drops them from `headers`). */
  rawHeaders: string[];
  /** The query string's parameters (express's parsed `req.query`, or the front door's `URLSearchParams`). */
  query?: unknown;
  /** Parsed body, when a body parser ran before the gate. */
  body?: unknown;
}

function field(container: unknown, name: string): unknown {
  return typeof container === 'object' && container !== null ? (container as Record<string, unknown>)[name] : undefined;
}

/** Where else than the header a token was put, e.g. `query parameter access_token`. */
function tokensOutsideHeader(sources: TokenSources): string[] {
  const places: string[] = [];
  for (const name of QUERY_FIELDS) {
    const { query } = sources;
    const sent = query instanceof URLSearchParams ? query.has(name) : field(query, name) !== undefined;
    if (sent) places.push(`query parameter ${name}`);
  }
  if (field(sources.body, 'access_token') !== undefined) places.push('body field access_token');
  return places;
}

/**
 * The bearer token of a request, from `Authorization: Bearer` only (RFC 6750 §2.1; MCP forbids
 * tokens in the query string). Throws AuthError: missing_token, token_in_query, multiple_tokens,
 * unsupported_scheme, malformed. Descriptions never quote the credential.
 */
export function extractBearerToken(sources: TokenSources): string {
  const headers: string[] = [];
  for (let i = 0; i + 1 < sources.rawHeaders.length; i += 2) {
    if (sources.rawHeaders[i]?.toLowerCase() === 'authorization') headers.push(sources.rawHeaders[i + 1] ?? '');
  }
  const elsewhere = tokensOutsideHeader(sources);
  if (headers.length > 1) {
    throw new AuthError('multiple_tokens', `${headers.length} Authorization headers were sent; send exactly one`);
  }
  const header = headers[0]?.trim();
  if (header === undefined) {
    if (elsewhere.length > 0) {
      throw new AuthError(
        'token_in_query',
        `the token was sent in the ${elsewhere[0]}; send it in the Authorization header instead (Authorization: Bearer <token>)`,
      );
    }
    throw new AuthError('missing_token', 'no bearer token was sent: send Authorization: Bearer <token>');
  }
  const match = /^Bearer(?:[ \t]+(.*))?$/i.exec(header);
  if (!match) {
    const scheme = header.split(/[ \t]/, 1)[0] ?? '';
    const named = KNOWN_SCHEMES.has(scheme.toLowerCase())
      ? `scheme ${scheme} is not supported`
      : 'has no Bearer prefix';
    throw new AuthError('unsupported_scheme', `the Authorization header ${named}; send Authorization: Bearer <token>`);
  }
  if (elsewhere.length > 0) {
    throw new AuthError(
      'multiple_tokens',
      `a token was sent in the Authorization header and in the ${elsewhere[0]}; send it only in the header`,
    );
  }
  const token = (match[1] ?? '').trim();
  if (token === '') throw new AuthError('malformed', 'the Authorization header says Bearer but carries no token');
  if (/,\s*Bearer\b/i.test(token)) {
    throw new AuthError('multiple_tokens', 'the Authorization header carries two Bearer tokens; send exactly one');
  }
  if (/\s/.test(token)) throw new AuthError('malformed', 'the bearer token contains whitespace');
  return token;
}
