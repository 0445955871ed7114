/**
 * The front door: the HTTP server's request listener. Every request to an MCP path (`/mcp`,
 * `/mcp/readonly`, `/sse`, `/messages`) is served here, on node's own request and response, through the
 * same checks in the same order: Host → body → token → rate limit (`entrance.ts`). Everything else
 * (`/`, health, metrics, the API document, the well-known documents) goes to `others`: the express app.
 *
 * Why not express for the MCP paths: they carry nearly all of the bridge's traffic, and express makes
 * each request dearer (it re-parents request and response with `Object.setPrototypeOf`, after which
 * every property read on them is slower, runs its router and middleware closures, and reads bodies
 * through body-parser and iconv), and an idle stream keeps all of that for hours.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../telemetry/logger.js';
import type { McpPath } from '../routes.js';

/** Serves one request to an MCP path. */
export type McpEntrance = (path: McpPath, query: string, req: IncomingMessage, res: ServerResponse) => Promise<void>;

const MCP_PATHS: ReadonlyMap<string, McpPath> = new Map(
  (['/mcp', '/mcp/readonly', '/sse', '/messages'] as const).map((path) => [path, path]),
);

/** The path and query of an absolute-form request target. */
function originForm(absolute: string): string {
  const url = new URL(absolute);
  return `${url.pathname}${url.search}`;
}

/**
 * The MCP path a request target names, with its query, or undefined for any other path. Matched as express
 * matched its routes: without regard to case, with or without one trailing slash.
 */
export function mcpPathOf(requestTarget: string): { path: McpPath; query: string } | undefined {
  // A request may name its target in absolute form (`POST http://host/mcp`), as a proxy would send it.
  const target =
    requestTarget.startsWith('/') || !URL.canParse(requestTarget) ? requestTarget : originForm(requestTarget);
  const at = target.indexOf('?');
  let path = at === -1 ? target : target.slice(0, at);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const known = MCP_PATHS.get(path) ?? MCP_PATHS.get(path.toLowerCase());
  return known && { path: known, query: at === -1 ? '' : target.slice(at + 1) };
}

/** The request listener: MCP paths to `entrance`, the rest to `others`. */
export function createFrontDoor(entrance: McpEntrance, others: RequestListener, logger: Logger): RequestListener {
  return (req, res) => {
    const target = mcpPathOf(req.url ?? '');
    if (!target) return others(req, res);
    entrance(target.path, target.query, req, res).catch((error: unknown) => {
      // The entrance answers every failure it expects; this is a bug, and the connection is all that is left.
      logger.error({ err: error, method: req.method, path: target.path }, 'MCP request failed');
      res.destroy();
    });
  };
}
