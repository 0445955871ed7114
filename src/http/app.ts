import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import proxyaddr from 'proxy-addr';
import type { Auth } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { JsonRpcCode, sendJsonRpcError } from '../mcp/jsonrpc.js';
import { createFrontDoor } from '../mcp/front-door/index.js';
import { createMcpEntrance } from '../mcp/front-door/entrance.js';
import { type McpRoutes, createMcpRoutes } from '../mcp/routes.js';
import type { BuildServer } from '../mcp/server-factory.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { type Lifecycle, type OpenApiSummary, healthRouter } from './health.js';
import { identityRouter } from './identity-routes.js';
import { corsMiddleware, hostGuard, requestContext } from './middleware.js';
import { openapiRouter } from './openapi-routes.js';
import { createRateLimiter } from '../mcp/inbound/rate-limit.js';
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
  /** The toolsets a connection may choose with `?toolsets=` (those the deployment serves). */
  toolsets: readonly string[];
  openapi: OpenApiSummary;
  lifecycle(): Lifecycle;
  /** Used by deep health to reach the NeonPanel API. */
  fetch: typeof fetch;
}

/** The express app, the MCP transports (for shutdown and health) and the listener that serves both. */
export interface BridgeApp {
  app: Express;
  /** What the HTTP server runs: the front door, which serves the MCP paths and leaves the rest to express. */
  listener: RequestListener;
  mcp: McpRoutes;
}

/**
 * The bridge's HTTP surface: the MCP paths through the front door (mcp/front-door); everything else in
 * express, in order: request id + access log, DNS-rebinding guard, CORS, server info, health, metrics, the
 * API document, OAuth discovery, then JSON 404s.
 */
export function createApp(deps: AppDeps): BridgeApp {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Behind a load balancer, `req.ip` (per-IP rate limits) is the client's address from X-Forwarded-For.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);

  // express's own rule for `req.ip`, so the front door counts and logs the same address express would.
  const clientIp = (req: IncomingMessage) => proxyaddr(req, app.get('trust proxy fn'));
  const rateLimiter = createRateLimiter({ config, store: deps.store, metrics, clientIp });
  const mcp = createMcpRoutes({
    build: deps.build,
    config,
    store: deps.store,
    metrics,
    logger,
    toolsets: deps.toolsets,
    guards: { rateLimitCheck: rateLimiter.check, clientIp },
  });
  const entrance = createMcpEntrance({
    config,
    routes: mcp,
    checkToken: deps.auth.checkToken,
    refuse: deps.auth.refuse,
    countChecked: rateLimiter.countChecked,
    logger,
    metrics,
    clientIp,
  });

  app.use(requestContext({ logger, metrics }), hostGuard(config), corsMiddleware());

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
  app.use(identityRouter(config));
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
  app.use(lastResort);

  const listener = createFrontDoor(entrance, app, logger);
  return { app, listener, mcp };
}
