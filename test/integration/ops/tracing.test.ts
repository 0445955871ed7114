import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SseTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1StreamableTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../helpers/stack.js';
import {
  type CapturingProxy,
  type OtlpReceiver,
  type OtlpSpan,
  attributeOf,
  startCapturingProxy,
  startOtlpReceiver,
} from '../../helpers/loopback.js';

/** Each client sends its own W3C trace context, so its spans can be told apart. */
const TRACES = {
  modern: { traceId: '0af7651916cd43dd8448eb211c80319c', parentId: 'b7ad6b7169203331' },
  streamable: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7' },
  sse: { traceId: '5c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', parentId: '1a2b3c4d5e6f7a8b' },
} as const;
type Transport = keyof typeof TRACES;

const traceparent = (transport: Transport) => `00-${TRACES[transport].traceId}-${TRACES[transport].parentId}-01`;

/** Calls list_companies as alice over one transport, sending `headers` on every request. */
async function callListCompanies(url: string, transport: Transport, headers: Record<string, string>) {
  if (transport === 'modern') {
    const client = new Client(
      { name: 'ops-modern', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
    const result = await client.callTool({ name: 'list_companies', arguments: {} });
    await client.close();
    return result;
  }
  const client = new V1Client({ name: `ops-${transport}`, version: '1.0.0' });
  const clientTransport =
    transport === 'streamable'
      ? new V1StreamableTransport(new URL(`${url}/mcp`), { requestInit: { headers } })
      : new V1SseTransport(new URL(`${url}/sse`), {
          requestInit: { headers },
          eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, ...headers } }) },
        });
  await client.connect(clientTransport);
  const result = await client.callTool({ name: 'list_companies', arguments: {} });
  await client.close();
  return result;
}

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let receiver: OtlpReceiver;
  let proxy: CapturingProxy;
  let token: string;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    proxy = await startCapturingProxy();
    // NeonPanel is reached through the proxy, which shows the headers the bridge sent it.
    const stack = await startStack({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, NEONPANEL_API_URL: proxy.url },
    });
    proxy.setTarget(stack.sandbox.url);
    try {
      token = await stack.tokenFor('alice');
      for (const transport of Object.keys(TRACES) as Transport[]) {
        const result = await callListCompanies(stack.url, transport, {
          Authorization: `Bearer ${token}`,
          traceparent: traceparent(transport),
        });
        expect(result.isError, transport).toBeFalsy();
      }
    } finally {
      // Closing the bridge flushes the batched spans to the receiver.
      await stack.close();
    }
    spans = receiver.spans();
  });
  afterAll(async () => {
    await proxy?.close();
    await receiver?.close();
  });

  it.each(Object.keys(TRACES) as Transport[])(
    '%s: the MCP request, the tool call and the NeonPanel call form one trace that NeonPanel joins',
    (transport) => {
      const { traceId, parentId } = TRACES[transport];
      const tool = spans.find((span) => span.name === 'mcp.tool_call' && span.traceId === traceId);
      expect(tool, `no tool span in trace ${traceId}`).toBeDefined();
      expect(attributeOf(tool!, 'gen_ai.tool.name')).toBe('list_companies');
      expect(attributeOf(tool!, 'mcp.tool.outcome')).toBe('ok');

      // The server span of the HTTP request that carried tools/call continues the client's trace.
      const request = spans.find((span) => span.spanId === tool!.parentSpanId);
      expect(request?.name).toBe('mcp.request');
      expect(request?.kind).toBe(2);
      expect(request?.traceId).toBe(traceId);
      expect(request?.parentSpanId).toBe(parentId);
      expect(attributeOf(request!, 'mcp.method.name')).toBe('tools/call');
      expect(attributeOf(request!, 'enduser.id')).toBe('alice');

      const upstream = spans.find((span) => span.name === 'upstream.call' && span.parentSpanId === tool!.spanId);
      expect(upstream?.kind).toBe(3);
      expect(upstream?.traceId).toBe(traceId);
      expect(attributeOf(upstream!, 'neonpanel.operation')).toBe('listCompanies');
      expect(attributeOf(upstream!, 'http.response.status_code')).toBe('200');

      // NeonPanel received the client span as the parent of its work.
      const sent = proxy.requests.filter((r) => String(r.headers['traceparent'] ?? '').includes(traceId));
      expect(sent.map((r) => r.headers['traceparent'])).toEqual([`00-${traceId}-${upstream!.spanId}-01`]);
      expect(sent[0]?.url).toMatch(/^\/api\/v1\/companies/);
    },
  );

  it('exports no token in any span', () => {
    expect(receiver.bodies.length).toBeGreaterThan(0);
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain(token);
    expect(exported).not.toContain(token.split('.')[2]);
    expect(exported).not.toMatch(/Bearer /i);
  });
});

describe('tracing off (no endpoint)', () => {
  it('sends NeonPanel no traceparent, even when the client sent one', async () => {
    const proxy = await startCapturingProxy();
    const stack = await startStack({ env: { NEONPANEL_API_URL: proxy.url } });
    proxy.setTarget(stack.sandbox.url);
    try {
      const token = await stack.tokenFor('alice');
      const result = await callListCompanies(stack.url, 'modern', {
        Authorization: `Bearer ${token}`,
        traceparent: traceparent('modern'),
      });
      expect(result.isError).toBeFalsy();
      expect(proxy.requests.length).toBeGreaterThan(0);
      expect(proxy.requests.every((r) => r.headers['traceparent'] === undefined)).toBe(true);
    } finally {
      await stack.close();
      await proxy.close();
    }
  });
});
