import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { type TokenSources, extractBearerToken } from './bearer.js';
import { type ProtectedRoute, buildChallenge } from './challenge.js';
import { AuthError } from './errors.js';
import { type VerifiedToken, hashToken } from './verifier.js';
import { verifyOnce } from './verify-once.js';

/**
 * What the gate decided about one request: its token and what it verified as, no token where that is
 * allowed (`auth` undefined), or the refusal to answer with `refuse` (`token` when one was sent).
 */
export type TokenCheck =
  | { ok: true; auth: VerifiedToken; token: string }
  | { ok: true; auth: undefined; token?: undefined }
  | { ok: false; error: AuthError; token?: string; auth?: undefined };

/** A request as the gate reads it: node's, with the parsed body and query where a parser ran. */
export type GateRequest = TokenSources & Pick<IncomingMessage, 'socket' | 'url'>;

export interface GateDeps {
  config: Pick<Config, 'publicUrl' | 'scopes'>;
  verify: (token: string) => Promise<VerifiedToken>;
  logger: Logger;
  metrics: Pick<Metrics, 'authFailures'>;
}

export interface Gate {
  /** Finds and verifies the request's bearer token, answering nothing; `anonymous` says whether no token is allowed. */
  check<R extends GateRequest>(req: R, anonymous?: (req: R) => boolean): Promise<TokenCheck>;
  /** Answers a refusal of `check` with the route's challenge (401, 403 or 503), counted and logged without the token. */
  refuse(req: GateRequest, res: ServerResponse, route: ProtectedRoute, refusal: TokenCheck & { ok: false }): void;
}

/** Seconds a client should wait before retrying while the issuer's keys cannot be fetched. */
const JWKS_RETRY_AFTER_SECONDS = 5;

/** The path of a request target, without its query (which may hold a token). */
function pathOf(url: string | undefined): string {
  const target = url ?? '';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** Builds the bearer gate (see createAuth). */
export function createGate(deps: GateDeps): Gate {
  async function check<R extends GateRequest>(req: R, anonymous?: (req: R) => boolean): Promise<TokenCheck> {
    let token: string;
    try {
      token = extractBearerToken(req);
    } catch (error) {
      const authError = error as AuthError;
      if (authError.code === 'missing_token' && anonymous?.(req)) return { ok: true, auth: undefined };
      return { ok: false, error: authError };
    }
    try {
      return { ok: true, auth: await verifyOnce(req, token, deps.verify), token };
    } catch (error) {
      if (error instanceof AuthError) return { ok: false, error, token };
      // A bug here must still answer as a refused token, never a 500 or a hang.
      deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'token verification crashed');
      return { ok: false, error: new AuthError('malformed', 'the token could not be checked'), token };
    }
  }

  const refuse: Gate['refuse'] = (req, res, route, { error, token }) => {
    deps.metrics.authFailures.inc({ reason: error.code });
    const level = error.code === 'missing_token' ? 'debug' : 'info';
    deps.logger[level](
      {
        code: error.code,
        route,
        path: pathOf(req.url),
        ...(token ? { tokenHash: hashToken(token).slice(0, 16) } : {}),
      },
      'request refused by the bearer gate',
    );
    const challenge = buildChallenge(error, { publicUrl: deps.config.publicUrl, route, scopes: deps.config.scopes });
    const body = JSON.stringify(challenge.body);
    res
      .writeHead(challenge.status, {
        'WWW-Authenticate': challenge.wwwAuthenticate,
        'Cache-Control': 'no-store',
        ...(error.code === 'jwks_unavailable' ? { 'Retry-After': String(JWKS_RETRY_AFTER_SECONDS) } : {}),
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
      })
      .end(body);
  };

  return { check, refuse };
}
