import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { extractBearerToken } from './bearer.js';
import { type ProtectedRoute, buildChallenge } from './challenge.js';
import { AuthError } from './errors.js';
import { type VerifiedToken, hashToken } from './verifier.js';
import { verifyOnce } from './verify-once.js';

export interface RequireTokenOptions {
  /**
   * Called only when no token at all was sent: true lets the request through without
   * `res.locals.auth` (for `initialize`, `tools/list`, `server/discover` when the deployment
   * allows anonymous discovery). A bad token is always refused.
   */
  allowAnonymous?: (req: Request) => boolean;
}

export interface GateDeps {
  config: Pick<Config, 'publicUrl' | 'scopes'>;
  verify: (token: string) => Promise<VerifiedToken>;
  logger: Logger;
  metrics: Pick<Metrics, 'authFailures'>;
}

/** Seconds a client should wait before retrying while the issuer's keys cannot be fetched. */
const JWKS_RETRY_AFTER_SECONDS = 5;

/** Builds the `requireToken(route)` middleware factory (see createAuth). */
export function createGate(deps: GateDeps) {
  const refuse = (req: Request, res: Response, route: ProtectedRoute, error: AuthError, token?: string): void => {
    deps.metrics.authFailures.inc({ reason: error.code });
    const level = error.code === 'missing_token' ? 'debug' : 'info';
    deps.logger[level](
      { code: error.code, route, path: req.path, ...(token ? { tokenHash: hashToken(token).slice(0, 16) } : {}) },
      'request refused by the bearer gate',
    );
    const challenge = buildChallenge(error, { publicUrl: deps.config.publicUrl, route, scopes: deps.config.scopes });
    res.status(challenge.status).set('WWW-Authenticate', challenge.wwwAuthenticate).set('Cache-Control', 'no-store');
    if (error.code === 'jwks_unavailable') res.set('Retry-After', String(JWKS_RETRY_AFTER_SECONDS));
    res.json(challenge.body);
  };

  return function requireToken(route: ProtectedRoute, options: RequireTokenOptions = {}): RequestHandler {
    return async (req, res, next) => {
      let token: string;
      try {
        token = extractBearerToken(req);
      } catch (error) {
        const authError = error as AuthError;
        if (authError.code === 'missing_token' && options.allowAnonymous?.(req)) return next();
        return refuse(req, res, route, authError);
      }
      try {
        res.locals['auth'] = await verifyOnce(req, token, deps.verify);
      } catch (error) {
        if (error instanceof AuthError) return refuse(req, res, route, error, token);
        // A bug here must still answer as a refused token, never a 500 or a hang.
        deps.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'token verification crashed',
        );
        return refuse(req, res, route, new AuthError('malformed', 'the token could not be checked'), token);
      }
      next();
    };
  };
}
