import {
  type Attributes,
  type AttributeValue,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Config } from '../config/index.js';

/** What `initTracing` returns: flush and stop on shutdown. */
export interface Tracing {
  /** Exports the spans still buffered and turns tracing off. Safe to call twice. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName?: string;
  serviceVersion?: string;
}

const TRACER_NAME = 'neonpanel-mcp';

/** Off until `initTracing` turns it on, so the default path costs one boolean check. */
let enabled = false;

/** A span that records nothing, handed to callbacks while tracing is off. */
const NON_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Attribute names that could hold a credential; dropped whatever the caller passes. */
const SECRET_NAME = /token|authorization|secret|password|cookie|api[-_]?key/i;
/** A compact JWS (what NeonPanel's access tokens are), recognised in any attribute value. */
const JWT_VALUE = /^eyJ[\w-]*\.[\w-]*\./;

/** Copies `attributes` without anything that could be a token. */
export function safeAttributes(attributes: Record<string, AttributeValue | undefined>): Attributes {
  const safe: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || SECRET_NAME.test(key)) continue;
    safe[key] = typeof value === 'string' && JWT_VALUE.test(value) ? '[redacted]' : value;
  }
  return safe;
}

/**
 * Starts OpenTelemetry tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: spans are batched and sent
 * as OTLP/HTTP JSON to `<endpoint>/v1/traces`, and W3C trace context is the propagator. Without the
 * endpoint nothing is registered and the helpers below cost next to nothing.
 * The exporter also honours the standard `OTEL_EXPORTER_OTLP_HEADERS` for collector credentials.
 * The SDK and exporter are imported here, not at the top: they are a fifth of the bridge's start-up
 * time, and most deployments never turn tracing on.
 */
export async function initTracing(
  config: Pick<Config, 'otelEndpoint'>,
  options: TracingOptions = {},
): Promise<Tracing> {
  if (!config.otelEndpoint) return { shutdown: async () => undefined };
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, NodeTracerProvider }] =
    await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace-node'),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? TRACER_NAME,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otelEndpoint.replace(/\/+$/, '')}/v1/traces` })),
    ],
  });
  provider.register();
  enabled = true;
  let stopped: Promise<void> | undefined;
  return {
    shutdown() {
      stopped ??= (async () => {
        enabled = false;
        try {
          await provider.shutdown();
        } finally {
          // Unregister, so a later initTracing (tests, restarts in one process) can register again.
          trace.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return stopped;
    },
  };
}

export interface SpanOptions {
  /** `server` for an incoming MCP request, `client` for a call to NeonPanel; default `internal`. */
  kind?: 'server' | 'client' | 'internal';
  /** Incoming HTTP headers whose `traceparent` the span continues (a client that traces its calls). */
  parentHeaders?: Record<string, string | string[] | undefined>;
}

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

/**
 * Runs `fn` inside a new active span named `name` (one per MCP request, tool call and upstream call),
 * ending it when `fn` settles and marking it as an error when `fn` throws. Attributes that could hold
 * a token are dropped (see `safeAttributes`). While tracing is off, `fn` simply runs.
 */
export function withSpan<T>(
  name: string,
  attributes: Record<string, AttributeValue | undefined>,
  fn: (span: Span) => Promise<T>,
  options: SpanOptions = {},
): Promise<T> {
  // Not async: while tracing is off, the hot path gets `fn`'s own promise, with no wrapper around it.
  if (!enabled) return fn(NON_RECORDING);
  return runInSpan(name, attributes, fn, options);
}

async function runInSpan<T>(
  name: string,
  attributes: Record<string, AttributeValue | undefined>,
  fn: (span: Span) => Promise<T>,
  options: SpanOptions,
): Promise<T> {
  const parent = options.parentHeaders
    ? propagation.extract(context.active(), options.parentHeaders)
    : context.active();
  const spanOptions = { kind: KINDS[options.kind ?? 'internal'], attributes: safeAttributes(attributes) };
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Adds the active span's W3C `traceparent` (and `tracestate`) to outgoing `headers`, so NeonPanel's
 * logs join the bridge's trace. Returns the same object; adds nothing while tracing is off.
 */
export function injectTraceparent<H extends Record<string, string>>(headers: H): H {
  if (enabled) propagation.inject(context.active(), headers);
  return headers;
}
