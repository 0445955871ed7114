/**
 * A small express app composed the way the bridge mounts the auth module: host guard, CORS,
 * discovery routes, body parsers, and trivial handlers behind the bearer gate (`checkToken`, then
 * `refuse`, as the MCP routes run it) on /mcp, /sse and /messages. Real HTTP on 127.0.0.1, port 0. Every log line is kept so tests can look for leaks.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { type Auth, type ProtectedRoute, createAuth } from '../../../src/auth/index.js';
import { type Config, loadConfig } from '../../../src/config/index.js';
import { corsMiddleware, hostGuard } from '../../../src/http/middleware.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { type Metrics, createMetrics } from '../../../src/telemetry/metrics.js';

export const PUBLIC_URL = 'https://mcp.example.test';

export interface ProtectedApp {
  url: string;
  config: Readonly<Config>;
  auth: Auth;
  metrics: Metrics;
  logLines: string[];
  close(): Promise<void>;
}

export async function startProtectedApp(issuer: string, env: Record<string, string> = {}): Promise<ProtectedApp> {
  const config = loadConfig({
    NEONPANEL_ISSUER: issuer,
    MCP_PUBLIC_URL: PUBLIC_URL,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination });
  const metrics = createMetrics();
  // A first-seen kid refetches at once (production waits up to 1 s), so rotation tests need no sleeps.
  const auth = createAuth(config, { logger, metrics, jwksTiming: { firstSeenCooldownMs: 0 } });
  await auth.start();

  const app = express();
  app.use(hostGuard(config));
  app.use(corsMiddleware());
  app.use(auth.discoveryRouter());
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  const echo: express.RequestHandler = (_req, res) => {
    res.json({ ok: true, auth: res.locals['auth'] ?? null });
  };
  /** The gate as a middleware: a refusal answered, else `res.locals.auth` set (undefined when anonymous). */
  const requireToken =
    (route: ProtectedRoute, allowAnonymous?: (req: express.Request) => boolean): express.RequestHandler =>
    async (req, res, next) => {
      const checked = await auth.checkToken(req, allowAnonymous);
      if (!checked.ok) return auth.refuse(req, res, route, checked);
      res.locals['auth'] = checked.auth;
      next();
    };
  const anonymousInitialize = (req: express.Request) => (req.body as { method?: unknown })?.method === 'initialize';
  app.post('/mcp', requireToken('mcp'), echo);
  app.get('/mcp', requireToken('mcp'), echo);
  app.post('/mcp-anonymous', requireToken('mcp', anonymousInitialize), echo);
  app.get('/sse', requireToken('sse'), echo);
  app.post('/messages', requireToken('sse'), echo);

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    config,
    auth,
    metrics,
    logLines,
    close: async () => {
      auth.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
