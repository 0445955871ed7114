/**
 * The bridge's configuration: read once from the environment at start, validated, frozen.
 * This is the only module that reads `process.env`: entry points, and tools that hand the environment on
 * to child processes, take it from processEnv() (test/architecture/layers.test.ts enforces this).
 * A bad value throws a ConfigError whose message names the variable, what is wrong and the value seen.
 */
import { isIP } from 'node:net';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** Where the HTTP server listens. */
  port: number;
  host: string;
  /** The bridge's public origin, no trailing slash: base of every absolute URL it prints. */
  publicUrl: string;
  /** Tokens must carry exactly this `iss`; authorization-server metadata is read from here. */
  issuer: string;
  jwksUri: string;
  /** Base URL of the NeonPanel REST API, no trailing slash. */
  apiUrl: string;
  /**
   * When set, a token's `aud` must contain one of these. Unset: a token without `aud` is accepted, and an
   * `aud` must name the bridge's own resource URLs, the issuer or the API (`auth/audience.ts`).
   */
  audience: string[] | undefined;
  /** When set, advertised and required of every token. */
  scopes: string[] | undefined;
  /** When set, state shared between instances lives in Redis. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisKeyPrefix: string;
  /**
   * Which proxies in front of the bridge are trusted to report the client's address in
   * `X-Forwarded-For` (express's `trust proxy`): a hop count, or addresses, CIDR ranges and the
   * names `loopback`, `linklocal`, `uniquelocal`. Unset: the connecting peer is the client.
   */
  trustProxy: number | string[] | undefined;
  logLevel: LogLevel;
  /** Let `initialize`, `tools/list` and `server/discover` through without a token. */
  allowAnonymousDiscovery: boolean;
  /** Serve the legacy HTTP+SSE transport (`/sse` + `/messages`). */
  legacySse: boolean;
  /** Serve the MCP Apps views (`ui://` resources and the tools' `_meta.ui`); the prompts are served either way. */
  apps: boolean;
  /** Allowed JWT signing algorithms. */
  jwtAlgorithms: string[];
  /** Clock tolerance for `exp`/`nbf`, seconds. */
  clockToleranceSeconds: number;
  /** Per-call timeout of NeonPanel API calls, ms. */
  upstreamTimeoutMs: number;
  /** Largest tool result text, bytes; larger results are paged. */
  responseBudgetBytes: number;
  /** Largest accepted request body, bytes. */
  maxBodyBytes: number;
  /** Open legacy SSE streams allowed per user and in total. */
  maxSseStreamsPerUser: number;
  maxSseStreamsTotal: number;
  /** Streamable HTTP sessions allowed per user and in total. */
  maxSessionsPerUser: number;
  maxSessionsTotal: number;
  /** Idle Streamable HTTP sessions are ended after this many seconds. */
  sessionIdleSeconds: number;
  /**
   * How long a Streamable HTTP session's streamed events are kept for `Last-Event-ID` resumption,
   * seconds (never longer than the session lives).
   */
  resumeWindowSeconds: number;
  /** SSE keep-alive comment interval, ms (at most 15 s). */
  keepAliveMs: number;
  /**
   * A session POST or a 2026-07-28 request whose client accepts JSON and SSE is answered as JSON when its
   * answer is ready within this many ms, else as an SSE stream (resumable in a session); 0 always streams.
   */
  streamAfterMs: number;
  /** Requests per minute per user (authenticated) and per client IP (unauthenticated). 0 disables. */
  rateLimitPerUser: number;
  rateLimitPerIp: number;
  /** Concurrent NeonPanel calls per user. */
  maxConcurrentUpstreamPerUser: number;
  /** OpenTelemetry OTLP/HTTP endpoint; tracing is on only when set. */
  otelEndpoint: string | undefined;
  /** Seconds to wait for in-flight requests on SIGTERM. */
  shutdownGraceSeconds: number;
  /** OpenAI's domain verification token, served at `/.well-known/openai-apps-challenge` when set. */
  openaiAppsChallenge: string | undefined;
  /** `MCP_READ_ONLY`: every MCP endpoint serves read tools only. */
  readOnly: boolean;
  /**
   * `MCP_TOOLSETS`: the toolsets this deployment serves (unset: all). The names are checked against the
   * tools when they are built (src/tools/toolsets.ts), which stops the start with the valid names.
   */
  toolsets: string[] | undefined;
  /** `AUDIT_LOG`: where the write audit goes: `stdout`, `stderr` or a file path (appended to). */
  auditLog: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** An https:// URL, or http:// on a loopback host (for the sandbox and tests). Returned without trailing slash. */
function readOrigin(env: Env, name: string, fallback: string, { allowPath = false } = {}): string {
  const raw = env[name]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `${name} must be an https:// or http://127.0.0.1 URL, got "${raw}"`);
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!ok) {
    throw new ConfigError(name, `${name} must be an https:// or http://127.0.0.1 URL, got "${raw}"`);
  }
  if (url.search || url.hash) {
    throw new ConfigError(name, `${name} must not have a query or fragment, got "${raw}"`);
  }
  if (!allowPath && url.pathname !== '/' && url.pathname !== '') {
    throw new ConfigError(
      name,
      `${name} must be an origin without a path (like https://mcp.neonpanel.com), got "${raw}"`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `${name} must be true or false, got "${env[name]}"`);
}

function readList(env: Env, name: string): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/** Names express's `trust proxy` accepts for address ranges. */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether `item` is an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange(item: string): boolean {
  const [address = '', prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `MCP_TRUST_PROXY`: a hop count, or a comma-separated list of addresses, CIDR ranges and range names.
 * `true` is refused: trusting every hop lets any client choose the address its rate limit counts against.
 */
function readTrustProxy(env: Env): number | string[] | undefined {
  const raw = env['MCP_TRUST_PROXY']?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return readInt(env, 'MCP_TRUST_PROXY', 0, 0, 100);
  if (raw.toLowerCase() === 'true') {
    throw new ConfigError(
      'MCP_TRUST_PROXY',
      'MCP_TRUST_PROXY=true would trust an X-Forwarded-For sent by any client; give the number of proxies in front of the bridge (like 1) or their addresses (like 10.0.0.0/8)',
    );
  }
  const items = readList(env, 'MCP_TRUST_PROXY') ?? [];
  const bad = items.find((item) => !TRUST_PROXY_NAMES.has(item) && !isAddressOrRange(item));
  if (bad !== undefined) {
    throw new ConfigError(
      'MCP_TRUST_PROXY',
      `MCP_TRUST_PROXY must be a hop count (like 1) or a comma-separated list of IP addresses, CIDR ranges and loopback, linklocal, uniquelocal; "${bad}" is none of these`,
    );
  }
  return items;
}

function readKeyPrefix(env: Env): string {
  const raw = env['REDIS_KEY_PREFIX'];
  if (raw === undefined || raw.trim() === '') return 'neonpanel-mcp:';
  if (!/^[A-Za-z0-9:._{}-]{1,64}$/.test(raw)) {
    throw new ConfigError(
      'REDIS_KEY_PREFIX',
      `REDIS_KEY_PREFIX must be 1 to 64 letters, digits or : . _ - { } (like "neonpanel-mcp:staging:"), got "${raw}"`,
    );
  }
  return raw;
}

/** `MCP_OPENAI_APPS_CHALLENGE`: one line of visible characters (OpenAI's token), or unset. */
function readOpenaiAppsChallenge(env: Env): string | undefined {
  const raw = env['MCP_OPENAI_APPS_CHALLENGE']?.trim();
  if (!raw) return undefined;
  if (!/^[\x21-\x7e]{1,512}$/.test(raw)) {
    throw new ConfigError(
      'MCP_OPENAI_APPS_CHALLENGE',
      'MCP_OPENAI_APPS_CHALLENGE must be the token OpenAI shows when verifying the domain: 1 to 512 visible ASCII characters, no spaces',
    );
  }
  return raw;
}

function readHost(env: Env): string {
  const host = env['HOST']?.trim() || '0.0.0.0';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host))
    throw new ConfigError('HOST', `HOST must be an address or hostname, got "${host}"`);
  return host;
}

/** `MCP_TOOLSETS`: lower-case names; `all` (or unset) means every toolset. */
function readToolsetNames(env: Env): string[] | undefined {
  const names = readList(env, 'MCP_TOOLSETS')?.map((name) => name.toLowerCase());
  if (!names || names.includes('all')) return undefined;
  const bad = names.find((name) => !/^[a-z][a-z0-9-]{0,39}$/.test(name));
  if (bad !== undefined) {
    throw new ConfigError('MCP_TOOLSETS', `MCP_TOOLSETS must be comma-separated toolset names, got "${bad}"`);
  }
  return names;
}

/** The process environment, as the entry points pass it to loadConfig or hand it on to a child process. */
export function processEnv(): Env {
  return process.env;
}

/** Reads and validates the configuration. Throws ConfigError on the first bad value. */
export function loadConfig(env: Env): Readonly<Config> {
  const issuer = readOrigin(env, 'NEONPANEL_ISSUER', 'https://my.neonpanel.com', { allowPath: true });
  const logLevel = (env['LOG_LEVEL']?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env['LOG_LEVEL']}"`);
  }
  const redisUrl = env['REDIS_URL']?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'REDIS_URL must be a redis:// or rediss:// URL');
  }
  const otelEndpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || undefined;
  if (otelEndpoint) {
    try {
      new URL(otelEndpoint);
    } catch {
      throw new ConfigError(
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        `OTEL_EXPORTER_OTLP_ENDPOINT must be a URL, got "${otelEndpoint}"`,
      );
    }
  }
  const algorithms = readList(env, 'MCP_JWT_ALGORITHMS') ?? ['RS256'];
  const badAlg = algorithms.find((a) => a === 'none' || a.startsWith('HS'));
  if (badAlg) {
    throw new ConfigError(
      'MCP_JWT_ALGORITHMS',
      `MCP_JWT_ALGORITHMS must list asymmetric algorithms only, got "${badAlg}"`,
    );
  }
  const config: Config = {
    port: readInt(env, 'PORT', 3000, 0, 65535),
    host: readHost(env),
    publicUrl: readOrigin(env, 'MCP_PUBLIC_URL', 'https://mcp.neonpanel.com'),
    issuer,
    jwksUri: readOrigin(env, 'NEONPANEL_JWKS_URI', `${issuer}/.well-known/jwks.json`, { allowPath: true }),
    apiUrl: readOrigin(env, 'NEONPANEL_API_URL', 'https://my.neonpanel.com', { allowPath: true }),
    audience: readList(env, 'MCP_AUDIENCE'),
    scopes: readList(env, 'MCP_SCOPES'),
    redisUrl,
    redisKeyPrefix: readKeyPrefix(env),
    trustProxy: readTrustProxy(env),
    logLevel,
    allowAnonymousDiscovery: readBool(env, 'MCP_ALLOW_ANONYMOUS_DISCOVERY', false),
    legacySse: readBool(env, 'MCP_LEGACY_SSE', true),
    apps: readBool(env, 'MCP_APPS', true),
    jwtAlgorithms: algorithms,
    clockToleranceSeconds: readInt(env, 'MCP_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
    upstreamTimeoutMs: readInt(env, 'NEONPANEL_TIMEOUT_MS', 30_000, 100, 300_000),
    responseBudgetBytes: readInt(env, 'MCP_RESPONSE_BUDGET_BYTES', 80_000, 1_000, 10_000_000),
    maxBodyBytes: readInt(env, 'MCP_MAX_BODY_BYTES', 1_000_000, 1_000, 50_000_000),
    maxSseStreamsPerUser: readInt(env, 'MCP_MAX_SSE_STREAMS_PER_USER', 10, 1, 100_000),
    maxSseStreamsTotal: readInt(env, 'MCP_MAX_SSE_STREAMS', 10_000, 1, 1_000_000),
    maxSessionsPerUser: readInt(env, 'MCP_MAX_SESSIONS_PER_USER', 50, 1, 100_000),
    maxSessionsTotal: readInt(env, 'MCP_MAX_SESSIONS', 20_000, 1, 1_000_000),
    sessionIdleSeconds: readInt(env, 'MCP_SESSION_IDLE_SECONDS', 1800, 10, 86_400),
    resumeWindowSeconds: readInt(env, 'MCP_RESUME_WINDOW_SECONDS', 300, 1, 86_400),
    keepAliveMs: readInt(env, 'MCP_KEEPALIVE_MS', 15_000, 100, 15_000),
    streamAfterMs: readInt(env, 'MCP_STREAM_AFTER_MS', 1_000, 0, 15_000),
    rateLimitPerUser: readInt(env, 'MCP_RATE_LIMIT_PER_USER', 600, 0, 1_000_000),
    rateLimitPerIp: readInt(env, 'MCP_RATE_LIMIT_PER_IP', 120, 0, 1_000_000),
    maxConcurrentUpstreamPerUser: readInt(env, 'MCP_MAX_CONCURRENT_UPSTREAM_PER_USER', 16, 1, 10_000),
    otelEndpoint,
    shutdownGraceSeconds: readInt(env, 'MCP_SHUTDOWN_GRACE_SECONDS', 10, 0, 600),
    openaiAppsChallenge: readOpenaiAppsChallenge(env),
    readOnly: readBool(env, 'MCP_READ_ONLY', false),
    toolsets: readToolsetNames(env),
    auditLog: env['AUDIT_LOG']?.trim() || 'stdout',
  };
  return Object.freeze(config);
}
