import { type Request, type Response, Router } from 'express';
import type { AuthStatus } from '../auth/index.js';
import type { Config } from '../config/index.js';
import { packageInfo } from '../mcp/package-info.js';
import type { StoreHealth } from '../state/types.js';

/** Where the server is in its life: only `ready` takes traffic from a load balancer. */
export type Lifecycle = 'starting' | 'ready' | 'draining';

/** What the bundled API document says about itself, for health. */
export interface OpenApiSummary {
  title: string;
  version: string;
  operations: number;
}

export interface HealthDeps {
  config: Pick<Config, 'apiUrl'>;
  auth: { status(): AuthStatus; ready(): boolean };
  store: { health(): Promise<StoreHealth> };
  openapi: OpenApiSummary;
  transports: { sseStreamCount(): number; sessionCount(): number };
  lifecycle(): Lifecycle;
  fetch: typeof fetch;
}

interface UpstreamCheck {
  status: 'ok' | 'down';
  checkedAt: string;
  latencyMs?: number;
  detail?: string;
}

/** Deep health may be polled often; NeonPanel is asked at most this often. */
const UPSTREAM_CHECK_TTL_MS = 10_000;
const UPSTREAM_TIMEOUT_MS = 2_000;

/**
 * `/healthz` (the seed document's fields), `/healthz?deep=1` (plus issuer metadata, upstream API
 * reachability and the store) and `/readyz` (503 while starting, draining or without issuer keys).
 */
export function healthRouter(deps: HealthDeps): Router & { deep(): Promise<Record<string, unknown>> } {
  const startedAt = Date.now();
  let lastUpstream: { at: number; check: Promise<UpstreamCheck> } | undefined;

  async function probeUpstream(): Promise<UpstreamCheck> {
    const started = Date.now();
    try {
      // Any HTTP answer (401 without a token is the normal one) proves the API is reachable.
      const response = await deps.fetch(`${deps.config.apiUrl}/api/v1/companies`, {
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
      await response.body?.cancel();
      const ok = response.status < 500;
      return {
        status: ok ? 'ok' : 'down',
        checkedAt: new Date().toISOString(),
        latencyMs: Date.now() - started,
        ...(ok ? {} : { detail: `NeonPanel API answered ${response.status}` }),
      };
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable';
      return { status: 'down', checkedAt: new Date().toISOString(), detail: `NeonPanel API ${reason}` };
    }
  }

  function upstream(): Promise<UpstreamCheck> {
    if (!lastUpstream || Date.now() - lastUpstream.at > UPSTREAM_CHECK_TTL_MS) {
      lastUpstream = { at: Date.now(), check: probeUpstream() };
    }
    return lastUpstream.check;
  }

  function basic() {
    const auth = deps.auth.status();
    return {
      status: auth.jwks.status === 'down' ? 'degraded' : 'ok',
      service: packageInfo.name,
      version: packageInfo.version,
      timestamp: new Date().toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      lifecycle: deps.lifecycle(),
      openapi: deps.openapi,
      jwks: auth.jwks,
      sse: { activeConnections: deps.transports.sseStreamCount() },
      sessions: { active: deps.transports.sessionCount() },
    };
  }

  const router = Router();
  /** The deep self-checks; also rendered by the HTML status page at `GET /`. */
  async function deep() {
    const health = basic();
    const [upstreamCheck, store] = await Promise.all([upstream(), deps.store.health()]);
    const degraded = health.status !== 'ok' || upstreamCheck.status !== 'ok' || store.status !== 'ok';
    return {
      ...health,
      status: degraded ? 'degraded' : 'ok',
      issuerMetadata: deps.auth.status().issuerMetadata,
      upstream: upstreamCheck,
      store,
    };
  }

  router.get('/healthz', async (req: Request, res: Response) => {
    if (req.query['deep'] === undefined || req.query['deep'] === '0') {
      res.set('Cache-Control', 'no-store').json(basic());
      return;
    }
    res.set('Cache-Control', 'no-store').json(await deep());
  });
  router.get('/readyz', async (_req: Request, res: Response) => {
    const lifecycle = deps.lifecycle();
    const keys = deps.auth.ready();
    const store = await deps.store.health();
    const ready = lifecycle === 'ready' && keys;
    const reason =
      lifecycle !== 'ready'
        ? `the server is ${lifecycle}`
        : keys
          ? undefined
          : "the issuer's signing keys (JWKS) have not been fetched yet";
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ ready, lifecycle, jwks: keys ? 'ok' : 'missing', store: store.status, ...(reason ? { reason } : {}) });
  });
  return Object.assign(router, { deep });
}
