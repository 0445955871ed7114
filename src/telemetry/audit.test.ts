import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createWriteAudit } from './audit.js';
import { createMetrics } from './metrics.js';

it('writes one JSON line per write, marked log=audit, and counts it by tool and outcome', async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const metrics = createMetrics();
  const audit = createWriteAudit({ auditLog: 'stdout' }, metrics, destination);
  audit.record({
    tool: 'create_bill',
    sub: 'alice',
    clientId: 'client-1',
    company: 'c-uuid',
    target: undefined,
    outcome: 'ok',
    status: 201,
    upstreamRequestId: 'req-1',
    createdId: 42,
    durationMs: 12,
    requestId: 'mcp-1',
  });
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
  expect(line).toMatchObject({
    log: 'audit',
    msg: 'write',
    tool: 'create_bill',
    sub: 'alice',
    client_id: 'client-1',
    company: 'c-uuid',
    outcome: 'ok',
    status: 201,
    upstream_request_id: 'req-1',
    created_id: 42,
    duration_ms: 12,
    request_id: 'mcp-1',
  });
  expect(line).not.toHaveProperty('target');
  expect(await metrics.registry.getSingleMetricAsString('neonpanel_mcp_tool_writes_total')).toContain(
    'neonpanel_mcp_tool_writes_total{tool="create_bill",outcome="ok"} 1',
  );
});
