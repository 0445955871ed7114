/**
 * Permissive CORS for the AS routes: browser clients such as MCP Inspector read metadata, register
 * and exchange codes from another origin. The `corsOff` misbehaviour removes it for doctor tests.
 */

import type { RequestHandler } from 'express';
import type { AsMisbehaviour } from '../misbehave.js';

const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, MCP-Protocol-Version, X-Request-Id';

export function corsMiddleware(misbehave: AsMisbehaviour): RequestHandler {
  return (req, res, next) => {
    if (misbehave.current.corsOff) return next();
    res.set('Access-Control-Allow-Origin', req.get('origin') ?? '*');
    res.set('Vary', 'Origin');
    res.set('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After, X-Request-Id');
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      res
        .status(204)
        .set('Access-Control-Allow-Methods', ALLOWED_METHODS)
        .set('Access-Control-Allow-Headers', req.get('access-control-request-headers') ?? ALLOWED_HEADERS)
        .set('Access-Control-Max-Age', '600')
        .end();
      return;
    }
    next();
  };
}
