/**
 * Composition root: configuration → telemetry → store → auth → tools → MCP server factory → HTTP app
 * → listen, and graceful shutdown. `startBridge` is what tests, the demo and the benchmark start;
 * run as a program it reads the environment and serves until SIGTERM/SIGINT.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Express } from 'express';
import { fetch as undiciFetch } from 'undici';
import { type Auth, audiencePolicy, createAuth, describeAudiencePolicy } from './auth/index.js';
import { type Config, ConfigError, loadConfig, processEnv } from './config/index.js';
import { createApp } from './http/app.js';
import { bindAddress } from './mcp/inbound/host-guard.js';
import type { Lifecycle } from './http/health.js';
import type { McpRoutes } from './mcp/routes.js';
import { packageInfo } from './mcp/package-info.js';
import { createMcpServerFactory } from './mcp/server-factory.js';
import { createStore } from './state/index.js';
import type { Store } from './state/types.js';
import { type Logger, createLogger } from './telemetry/logger.js';
import { type Metrics, createMetrics } from './telemetry/metrics.js';
import { type Tracing, initTracing } from './telemetry/tracing.js';
import { createToolset } from './tools/index.js';

/** Replacements for what `startBridge` would otherwise create itself (tests, demo, benchmark). */
export interface BridgeOverrides {
  /** Default: a pino logger at `config.logLevel` on stdout. */
  logger?: Logger;
  /** Default: `createStore(config)` (Redis when `REDIS_URL` is set, else memory). A given store is not closed by `close()`. */
  store?: Store;
  /** Used for the issuer's JWKS and metadata and for deep health's upstream check. Default: undici's fetch. */
  fetch?: typeof fetch;
}

/** A running bridge. */
export interface Bridge {
  /** Where it listens, as a loopback URL (`http://127.0.0.1:<port>`), whatever `config.host` is. */
  url: string;
  port: number;
  config: Readonly<Config>;
  app: Express;
  server: Server;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  auth: Auth;
  mcp: McpRoutes;
  /**
   * Graceful shutdown: stops taking connections, ends SSE streams cleanly, lets in-flight requests
   * finish within `config.shutdownGraceSeconds`, then closes what is left. Idempotent.
   */
  close(): Promise<void>;
}

/** How often idle keep-alive connections are closed while draining. */
const DRAIN_POLL_MS = 50;

/** Starts the bridge and resolves once it listens and has tried to fetch the issuer's keys. */
export async function startBridge(config: Readonly<Config>, overrides: BridgeOverrides = {}): Promise<Bridge> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  // Tracing is process-wide (one global provider): at most one bridge per process should set the endpoint.
  const tracing: Tracing | undefined = config.otelEndpoint
    ? await initTracing(config, { serviceName: packageInfo.name, serviceVersion: packageInfo.version })
    : undefined;
  // undici's own fetch, not the global one: the bridge loads undici for NeonPanel calls anyway, and the
  // global fetch would load Node's second, internal copy of undici at start (tens of milliseconds).
  const fetchImpl = overrides.fetch ?? (undiciFetch as unknown as typeof fetch);
  const metrics = createMetrics();
  const store = overrides.store ?? (await createStore(config, { logger, keyPrefix: config.redisKeyPrefix }));
  const auth = createAuth(config, { logger, metrics, fetch: fetchImpl });
  const toolset = await createToolset({ config, logger, metrics });
  const build = createMcpServerFactory({ toolset, logger, publicUrl: config.publicUrl, apps: config.apps });

  // The server binds HOST resolved, and the DNS-rebinding guard is decided from that address, not from
  // how HOST spells it (`127.1` is loopback too).
  const host = await bindAddress(config.host);
  let lifecycle: Lifecycle = 'starting';
  const { app, listener, mcp } = createApp({
    config: host === config.host ? config : Object.freeze({ ...config, host }),
    logger,
    metrics,
    auth,
    store,
    build,
    toolsets: toolset.groups.map((group) => group.name),
    openapi: { ...toolset.api, operations: toolset.operationCount },
    lifecycle: () => lifecycle,
    fetch: fetchImpl,
  });

  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  await auth.start();
  lifecycle = 'ready';
  logger.info(
    {
      url,
      publicUrl: config.publicUrl,
      tools: toolset.tools.length,
      store: store.kind,
      tracing: Boolean(tracing),
      audiencePolicy: describeAudiencePolicy(audiencePolicy(config)),
    },
    'bridge listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      lifecycle = 'draining';
      logger.info({ graceSeconds: config.shutdownGraceSeconds }, 'draining');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await mcp.closeStreams();
      const poll = setInterval(() => server.closeIdleConnections(), DRAIN_POLL_MS);
      server.closeIdleConnections();
      const grace = new Promise<'timeout'>((resolve) => {
        setTimeout(() => resolve('timeout'), config.shutdownGraceSeconds * 1000).unref();
      });
      const outcome = await Promise.race([stopped.then(() => 'drained' as const), grace]);
      clearInterval(poll);
      await mcp.close();
      if (outcome === 'timeout') {
        logger.warn('grace period over: closing the connections still open');
        server.closeAllConnections();
        await stopped;
      }
      auth.close();
      await toolset.close();
      if (!overrides.store) await store.close();
      // Last, so the spans of the requests that drained above are exported too.
      await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'trace export failed'));
      logger.info('stopped');
    })();
    return closing;
  };

  return { url, port, config, app, server, store, metrics, logger, auth, mcp, close };
}

/** Runs the bridge as a program: configuration from the environment, shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(processEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const bridge = await startBridge(config);
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      bridge.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    bridge.logger.info({ signal }, 'shutting down');
    bridge.close().then(
      () => process.exit(0),
      (error: unknown) => {
        bridge.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/**
 * Runs the bridge as a program and exits with a message when it cannot start. Called when this module
 * is the entry point (`tsx src/main.ts`), and by the production launcher (src/launch.ts), which loads
 * the bundled server as a library.
 */
export function runAsProgram(): void {
  main().catch((error: unknown) => {
    console.error('The bridge failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) runAsProgram();
