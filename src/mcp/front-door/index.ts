/**
 * The front door of the MCP routes (`/mcp`, `/mcp/readonly`, `/sse`, `/messages`): what the HTTP server
 * runs for every request. A plain request to an MCP route is served on node's own request and response
 * (`post.ts`, `sse-open.ts`): Host, body, token and rate limit are checked there once, refusals included.
 * Anything else goes to `fallback` (the express app), whose MCP routes run the same checks as middleware.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../telemetry/logger.js';

/** Serves a request on node's own objects and resolves true, or resolves false having left it untouched. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * The request listener: `handlerFor(req)` picks the node handler that may serve `req` (undefined: none
 * may), and what no handler serves goes to `fallback`.
 */
export function createFrontDoor(
  handlerFor: (req: IncomingMessage) => NodeHandler | undefined,
  fallback: RequestListener,
  logger: Logger,
): RequestListener {
  return (req, res) => {
    const handler = handlerFor(req);
    if (!handler) return fallback(req, res);
    handler(req, res).then(
      (served) => served || fallback(req, res),
      (error: unknown) => {
        logger.error({ err: error, method: req.method, path: req.url?.split('?')[0] }, 'MCP request failed');
        res.destroy();
      },
    );
  };
}
