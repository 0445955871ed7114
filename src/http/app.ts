import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import proxyaddr from 'proxy-addr';
import type { Auth } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { JsonRpcCode, sendJsonRpcError } from '../mcp/jsonrpc.js';
import { type McpRoutes, createMcpRoutes } from '../mcp/routes.js';
import type { BuildServer } from '../mcp/server-factory.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { bodyErrors, jsonBody } from './body.js';
import { chain } from './chain.js';
import { corsMiddleware } from './cors.js';
import { type Lifecycle, type OpenApiSummary, healthRouter } from './health.js';
import { hostGuard } from './host-guard.js';
import { openapiRouter } from './openapi-routes.js';
import { createRateLimiter } from './rate-limit.js';
import { requestContext } from './request-context.js';
import { buildServerInfo } from './server-info.js';
import { renderStatusPage, statusPageInfo } from './status-page.js';

export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  metrics: Metrics;
  auth: Auth;
  store: Store;
  /** The MCP server factory (tools defined once). */
  build: BuildServer;
  openapi: OpenApiSummary;
  lifecycle(): Lifecycle;
  /** Used by deep health to reach the NeonPanel API. */
  fetch: typeof fetch;
}

/** The express app and the MCP transports mounted in it (for shutdown and health). */
export interface BridgeApp {
  app: Express;
  /** What the HTTP server runs: a plain `GET /sse` outside express when it can be, everything else in express. */
  listener: RequestListener;
  mcp: McpRoutes;
}

/**
 * The bridge's HTTP surface, in order: request id + access log, DNS-rebinding guard, CORS, the MCP
 * transports, server info, health, metrics, the API document, OAuth discovery, then JSON 404s.
 */
export function createApp(deps: AppDeps): BridgeApp {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Behind a load balancer, `req.ip` (per-IP rate limits) is the client's address from X-Forwarded-For.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);

  const rateLimiter = createRateLimiter({ config, store: deps.store, metrics });
  const mcp = createMcpRoutes({
    build: deps.build,
    config,
    store: deps.store,
    metrics,
    logger,
    guards: {
      parseBody: [...jsonBody(config.maxBodyBytes), bodyErrors],
      requireToken: (route, options) => deps.auth.requireToken(route, options),
      rateLimit: rateLimiter.middleware,
      verify: (token) => deps.auth.verify(token),
      rateLimitCheck: (kind, id) => rateLimiter.check(kind, id),
      // express's own rule for `req.ip`, so lines logged outside express name the same address.
      clientIp: (req) => proxyaddr(req, app.get('trust proxy fn')),
    },
  });

  const front = [requestContext({ logger, metrics }), hostGuard(config), corsMiddleware()];
  app.use(chain(front));
  // The MCP routes come first: they carry almost all traffic, and express tries each earlier route in turn.
  app.use(mcp.router);

  const serverInfo = buildServerInfo(config);
  const health = healthRouter({
    config,
    auth: deps.auth,
    store: deps.store,
    openapi: deps.openapi,
    transports: { sseStreamCount: mcp.sseStreamCount, sessionCount: mcp.sessionCount },
    lifecycle: deps.lifecycle,
    fetch: deps.fetch,
  });
  app.get('/', async (req, res) => {
    // Browsers get the status page; curl (*/*) and clients asking for JSON get the server info.
    if (req.accepts(['application/json', 'text/html']) === 'text/html') {
      const page = renderStatusPage(statusPageInfo(serverInfo, config), await health.deep());
      res.type('html').set('Cache-Control', 'no-store').send(page);
      return;
    }
    res.json(serverInfo);
  });
  app.use(health);
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(openapiRouter());
  app.use(deps.auth.discoveryRouter());

  const notFound: RequestHandler = (req, res) => {
    res.status(404).json({
      error: 'not_found',
      error_description: `No route for ${req.method} ${req.path.slice(0, 200)}; see GET ${config.publicUrl}/ for the endpoints`,
    });
  };
  app.use(notFound);
  const lastResort: ErrorRequestHandler = (error, req, res, _next) => {
    logger.error({ err: error, reqId: res.locals['requestId'], path: req.path }, 'unhandled error');
    sendJsonRpcError(res, 500, JsonRpcCode.InternalError, `Internal error (request id ${res.locals['requestId']})`);
  };
  app.use(bodyErrors, lastResort);

  /**
   * The MCP paths, run without express's router: the same middleware and route chain as in the app,
   * after the same decoration express gives every request (its prototypes, `res.locals`). Matching
   * each request against the app's layers was a tenth of the CPU of a tool call. Anything else, and
   * any spelling of these paths that is not exact (`/MCP`, `/mcp/`), goes through express as before.
   */
  const direct = new Map<string, RequestHandler>(
    Object.entries(mcp.routes).map(([path, route]) => [
      path,
      chain([...front, route, notFound, bodyErrors, lastResort]),
    ]),
  );
  const runDirect = (route: RequestHandler, req: IncomingMessage, res: ServerResponse): void => {
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    const request = req as Request;
    const response = res as Response;
    request.res = response;
    response.req = request;
    request.originalUrl = req.url ?? '/';
    request.baseUrl = '';
    response.locals = Object.create(null) as Response['locals'];
    // lastResort answers every error and notFound every request left over: nothing reaches this.
    route(request, response, () => response.destroy());
  };
  const listener: RequestListener = (req, res) => {
    const query = req.url?.indexOf('?') ?? -1;
    const path = query === -1 ? (req.url ?? '') : req.url!.slice(0, query);
    const route = direct.get(path);
    if (!route) return app(req, res);
    const outside = mcp.outsideExpress(req);
    if (!outside) return runDirect(route, req, res);
    outside(req, res).then(
      (served) => served || runDirect(route, req, res),
      (error: unknown) => {
        logger.error({ err: error, method: req.method, path }, 'MCP request failed outside express');
        res.destroy();
      },
    );
  };
  return { app, listener, mcp };
}
