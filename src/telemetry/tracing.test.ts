import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../test/helpers/loopback.js';
import { injectTraceparent, initTracing, type Tracing, withSpan } from './tracing.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

describe('tracing', () => {
  it('is off without an endpoint: callbacks run and no traceparent is added', async () => {
    tracing = await initTracing({ otelEndpoint: undefined });
    const headers = await withSpan('mcp.request', { 'mcp.method': 'tools/list' }, async (span) => {
      expect(span.isRecording()).toBe(false);
      return injectTraceparent({ accept: 'application/json' });
    });
    expect(headers).toEqual({ accept: 'application/json' });
  });

  it('exports nested spans as OTLP JSON, propagates traceparent, and never exports a token', async () => {
    const receiver = await startOtlpReceiver();
    try {
      tracing = await initTracing({ otelEndpoint: `${receiver.url}/` }, { serviceVersion: '1.2.3' });
      const incoming = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
      let outgoing: Record<string, string> = {};
      await withSpan(
        'mcp.request',
        { 'mcp.method': 'tools/call', authorization: `Bearer ${TOKEN}`, 'mcp.note': TOKEN },
        () =>
          withSpan('tool.call', { 'mcp.tool': 'list_companies' }, () =>
            withSpan(
              'upstream.call',
              { 'http.request.method': 'GET', access_token: TOKEN },
              async () => {
                outgoing = injectTraceparent({ accept: 'application/json' });
              },
              { kind: 'client' },
            ),
          ),
        { kind: 'server', parentHeaders: incoming },
      );
      await expect(withSpan('failing', {}, async () => Promise.reject(new Error('upstream down')))).rejects.toThrow(
        'upstream down',
      );
      await tracing.shutdown();

      expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
      const spans = receiver.spans();
      const byName = new Map(spans.map((span) => [span.name, span]));
      const request = byName.get('mcp.request')!;
      const tool = byName.get('tool.call')!;
      const upstream = byName.get('upstream.call')!;
      // The request continues the client's trace; tool and upstream calls are its children.
      expect(request.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(request.parentSpanId).toBe('b7ad6b7169203331');
      expect(tool.parentSpanId).toBe(request.spanId);
      expect(upstream.parentSpanId).toBe(tool.spanId);
      expect(request.kind).toBe(2); // SERVER
      expect(upstream.kind).toBe(3); // CLIENT
      expect(request.attributes).toContainEqual({ key: 'mcp.method', value: { stringValue: 'tools/call' } });
      expect(request.attributes).toContainEqual({ key: 'mcp.note', value: { stringValue: '[redacted]' } });
      expect(request.attributes.map((a) => a.key)).not.toContain('authorization');
      expect(upstream.attributes.map((a) => a.key)).not.toContain('access_token');
      expect(byName.get('failing')?.status?.code).toBe(2); // ERROR
      // NeonPanel receives the upstream span as the parent of its work.
      expect(outgoing['traceparent']).toBe(`00-${upstream.traceId}-${upstream.spanId}-01`);
      expect(receiver.bodies.join('\n')).not.toContain(TOKEN);
      expect(receiver.bodies.join('\n')).toContain('"service.version"');
    } finally {
      await receiver.close();
    }
  });
});
