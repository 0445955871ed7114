import { type Response, Router } from 'express';
import type { Config } from '../config/index.js';
import type { IssuerMetadataMirror } from './issuer-metadata.js';
import { type ResourceKind, buildResourceMetadata } from './resource-metadata.js';

/** Discovery documents change only on redeploy or on the issuer's side: five minutes is a fair cache. */
const CACHE_CONTROL = 'public, max-age=300';

function sendJson(res: Response, doc: unknown): void {
  res.set('Cache-Control', CACHE_CONTROL).json(doc);
}

/** `/.well-known/<name>/<route>` (RFC 9728/8414 path insertion) and `/<route>/.well-known/<name>` (what some clients append). */
function pathForms(name: string, routes: readonly string[]): string[] {
  return routes.flatMap((route) => [`/.well-known/${name}/${route}`, `/${route}/.well-known/${name}`]);
}

/**
 * GET routes for the discovery chain: RFC 9728 protected-resource metadata for `/mcp`, `/sse` and
 * the origin; the issuer's RFC 8414 metadata mirrored; its OpenID configuration only if it has one.
 */
export function createDiscoveryRouter(
  config: Pick<Config, 'publicUrl' | 'issuer' | 'scopes'>,
  mirror: Pick<IssuerMetadataMirror, 'authorizationServer' | 'openidConfiguration'>,
): Router {
  const router = Router();
  for (const kind of ['mcp', 'mcp/readonly', 'sse'] as const satisfies readonly ResourceKind[]) {
    const doc = buildResourceMetadata(config, kind);
    router.get(pathForms('oauth-protected-resource', [kind]), (_req, res) => sendJson(res, doc));
  }
  const rootDoc = buildResourceMetadata(config, 'root');
  router.get('/.well-known/oauth-protected-resource', (_req, res) => sendJson(res, rootDoc));

  const asPaths = [
    '/.well-known/oauth-authorization-server',
    ...pathForms('oauth-authorization-server', ['mcp', 'sse']),
  ];
  router.get(asPaths, (_req, res) => sendJson(res, mirror.authorizationServer()));

  const oidcPaths = ['/.well-known/openid-configuration', ...pathForms('openid-configuration', ['mcp', 'sse'])];
  router.get(oidcPaths, (_req, res) => {
    const doc = mirror.openidConfiguration();
    if (doc) return sendJson(res, doc);
    res.status(404).json({
      error: 'not_found',
      error_description: `the issuer ${config.issuer} publishes no OpenID configuration; use /.well-known/oauth-authorization-server`,
    });
  });
  return router;
}
