/** Loopback servers tests put around the stack: an OTLP receiver and a header-capturing proxy. */
import { once } from 'node:events';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/HTTP JSON carries it (the fields the tests read). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  status?: { code?: number };
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

/** Starts `server` on a free loopback port; returns its URL. */
export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a test server now, open keep-alive connections included. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A collector stand-in: records the body of every `POST /v1/traces` (OTLP/HTTP JSON). */
export interface OtlpReceiver {
  url: string;
  /** Raw export bodies, for checking that no secret was exported. */
  bodies: string[];
  /** The Content-Type of each export. */
  contentTypes: string[];
  spans(): OtlpSpan[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bodies.push(body);
        contentTypes.push(req.headers['content-type'] ?? '');
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const url = await listen(server);
  return {
    url,
    bodies,
    contentTypes,
    spans: () =>
      bodies.flatMap((body) =>
        (JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap(
          (resource) => resource.scopeSpans.flatMap((scope) => scope.spans),
        ),
      ),
    close: () => closeServer(server),
  };
}

/** The string value of a span attribute. */
export function attributeOf(span: OtlpSpan, key: string): string | undefined {
  const value = span.attributes.find((attribute) => attribute.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : String(value.intValue));
}

/** A request as it passed through the proxy. */
export interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A forwarding proxy that records each request's headers: what NeonPanel would receive, for headers
 * the sandbox's request log does not keep (`traceparent`). Its target is set once known, because the
 * bridge must be configured with the proxy's URL before the sandbox behind it exists.
 */
export interface CapturingProxy {
  url: string;
  requests: CapturedRequest[];
  setTarget(target: string): void;
  close(): Promise<void>;
}

export async function startCapturingProxy(): Promise<CapturingProxy> {
  const requests: CapturedRequest[] = [];
  let target: URL | undefined;
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    if (!target) {
      res.writeHead(502).end('no target yet');
      return;
    }
    const forwarded = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  const url = await listen(server);
  return {
    url,
    requests,
    setTarget: (next) => {
      target = new URL(next);
    },
    close: () => closeServer(server),
  };
}
