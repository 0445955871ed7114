import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus instrument the bridge exports, on one registry per bridge instance
 * (tests run several instances in one process). Labels never carry tokens, user ids or
 * free text: only route templates, methods, tool names, status codes and reason codes.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'neonpanel_mcp_process_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'neonpanel_mcp_http_requests_total',
      help: 'HTTP requests by route template and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    mcpRequests: new Counter({
      name: 'neonpanel_mcp_mcp_requests_total',
      help: 'MCP JSON-RPC requests by method, protocol revision and transport',
      labelNames: ['method', 'protocol', 'transport'] as const,
      registers,
    }),
    toolCalls: new Counter({
      name: 'neonpanel_mcp_tool_calls_total',
      help: 'Tool calls by tool and outcome (ok, error code)',
      labelNames: ['tool', 'outcome'] as const,
      registers,
    }),
    writes: new Counter({
      name: 'neonpanel_mcp_tool_writes_total',
      help: 'Write tool calls (create, update, delete, sync, import) by tool and outcome, refused ones included',
      labelNames: ['tool', 'outcome'] as const,
      registers,
    }),
    upstreamLatency: new Histogram({
      name: 'neonpanel_mcp_upstream_duration_seconds',
      help: 'NeonPanel API call latency by operation and status',
      labelNames: ['operation', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    authFailures: new Counter({
      name: 'neonpanel_mcp_auth_failures_total',
      help: 'Rejected requests by reason code',
      labelNames: ['reason'] as const,
      registers,
    }),
    sseStreams: new Gauge({
      name: 'neonpanel_mcp_sse_streams_active',
      help: 'Open legacy SSE streams on this instance',
      registers,
    }),
    sessions: new Gauge({
      name: 'neonpanel_mcp_sessions_active',
      help: 'Streamable HTTP sessions held by this instance',
      registers,
    }),
    jwksRefreshes: new Counter({
      name: 'neonpanel_mcp_jwks_refreshes_total',
      help: 'JWKS fetches by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    schemaDrift: new Counter({
      name: 'neonpanel_mcp_schema_drift_total',
      help: 'Upstream answers that did not match the OpenAPI response schema, by operation',
      labelNames: ['operation'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'neonpanel_mcp_rate_limited_total',
      help: 'Requests refused by the inbound rate limit, by kind (user, ip)',
      labelNames: ['kind'] as const,
      registers,
    }),
    rateLimitUnchecked: new Counter({
      name: 'neonpanel_mcp_rate_limit_unchecked_total',
      help: 'Requests served without a rate-limit check because the store was unavailable (fail open), by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
