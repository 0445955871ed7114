import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import proxyaddr from 'proxy-addr';
import type { Auth } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { JsonRpcCode, sendJsonRpcError } from '../mcp/jsonrpc.js';
import { createFrontDoor } from '../mcp/front-door/index.js';
import { type McpRoutes, createMcpRoutes } from '../mcp/routes.js';
import type { BuildServer } from '../mcp/server-factory.js';
import type { Store } from '../state/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { bodyErrors, jsonBody } from '../mcp/inbound/body.js';
import { corsMiddleware } from '../mcp/inbound/cors.js';
import { type Lifecycle, type OpenApiSummary, healthRouter } from './health.js';
import { hostGuard } from '../mcp/inbound/host-guard.js';
import { identityRouter } from './identity-routes.js';
import { openapiRouter } from './openapi-routes.js';
import { applyRateLimit, createRateLimiter } from '../mcp/inbound/rate-limit.js';
import { requestContext } from '../mcp/inbound/request-context.js';
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

/** The express app and the MCP transports mounted in it (for shutdown and health). */
export interface BridgeApp {
  app: Express;
  /** What the HTTP server runs: the MCP front door, which leaves to express what it does not serve. */
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

  // express's own rule for `req.ip`, so what is counted or logged outside express names the same address.
  const clientIp = (req: IncomingMessage) => proxyaddr(req, app.get('trust proxy fn'));
  const rateLimiter = createRateLimiter({ config, store: deps.store, metrics, clientIp });
  const mcp = createMcpRoutes({
    build: deps.build,
    config,
    store: deps.store,
    metrics,
    logger,
    toolsets: deps.toolsets,
    guards: {
      parseBody: [...jsonBody(config.maxBodyBytes), bodyErrors],
      checkToken: deps.auth.checkToken,
      refuse: deps.auth.refuse,
      admit: rateLimiter.admit,
      rateLimitCheck: rateLimiter.check,
      applyRateLimit,
      clientIp,
    },
  });

  app.use(requestContext({ logger, metrics }), hostGuard(config), corsMiddleware());
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
  app.use(bodyErrors, lastResort);

  const listener = createFrontDoor(mcp.nodeHandler, app, logger);
  return { app, listener, mcp };
}
