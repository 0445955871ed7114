/**
 * Routes that identify the bridge to clients and their vendors: the icons `serverInfo.icons` points at,
 * and ChatGPT's domain verification token at `/.well-known/openai-apps-challenge` (404 when unset).
 */
import { type Request, type Response, Router } from 'express';
import type { Config } from '../config/index.js';
import { ICON_PATHS } from '../mcp/package-info.js';
import { ICON_SVG, renderPngIcon } from './icons.js';

/** Where OpenAI looks for the token it gave when the app's domain is verified. */
const OPENAI_APPS_CHALLENGE_PATH = '/.well-known/openai-apps-challenge';

function sendStatic(type: string, body: string | Buffer, cacheControl: string) {
  return (_req: Request, res: Response) => {
    res.type(type).set('Cache-Control', cacheControl).send(body);
  };
}

/** `GET /icon.svg`, `GET /icon.png` and, when configured, the OpenAI apps challenge. */
export function identityRouter(config: Pick<Config, 'openaiAppsChallenge'>): Router {
  const router = Router();
  // The icons change only with a release: a day of caching spares clients that render them per message.
  const day = 'public, max-age=86400';
  router.get(ICON_PATHS.svg, sendStatic('image/svg+xml', ICON_SVG, day));
  router.get(ICON_PATHS.png, sendStatic('image/png', renderPngIcon(), day));
  if (config.openaiAppsChallenge !== undefined) {
    // Unset, the path falls through to the JSON 404 like any unknown route.
    router.get(OPENAI_APPS_CHALLENGE_PATH, sendStatic('text/plain', config.openaiAppsChallenge, 'no-cache'));
  }
  return router;
}
