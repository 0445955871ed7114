import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readAuditLines } from '../../helpers/audit-log.js';
import { eventually } from '../../helpers/eventually.js';
import { scratchDirs } from '../../helpers/scratch.js';
import { type Stack, startStack } from '../../helpers/stack.js';
import { toolText } from '../../helpers/tool-result.js';

/**
 * Writes through the bridge against the sandbox: each one audited (one JSON line, refused ones too,
 * no secret), never retried, and numeric company ids resolved among the caller's own companies.
 */

const scratch = scratchDirs();
let stack: Stack;
let token: string;
let auditFile: string;
let client: V1Client;
let companyUuid: string;

/** A value of the request body that must never reach the audit log. */
const BODY_SECRET = 'vendor-name-that-stays-out-of-the-audit';

beforeAll(async () => {
  auditFile = join(scratch('audit-'), 'nested', 'audit.log');
  stack = await startStack({ env: { AUDIT_LOG: auditFile, NEONPANEL_TIMEOUT_MS: '2000' } });
  token = await stack.tokenFor('alice');
  companyUuid = stack.sandbox.users['alice']?.companyUuids[0] as string;
  client = new V1Client({ name: 'writes-test', version: '1.0.0' });
  await client.connect(
    new V1StreamableTransport(new URL(`${stack.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
});
afterAll(async () => {
  await client?.close();
  await stack?.close();
});
afterEach(() => stack.sandbox.faults.clear());

const auditLines = () => readAuditLines(auditFile);

/** The audit lines written after `count` lines, once there are `expected` more. */
async function newAuditLines(count: number, expected: number): Promise<Array<Record<string, unknown>>> {
  await eventually(async () => auditLines().length >= count + expected, 20, {
    deadlineMs: 3000,
    failure: `expected ${expected} new audit line(s)`,
  });
  const lines = auditLines().slice(count);
  expect(lines).toHaveLength(expected);
  return lines;
}

const createArgs = () => ({
  companyUuid,
  type: 'bill',
  data: { vendor: BODY_SECRET, ref_number: 'B-77', date: '2025-01-02', items: [] },
});

function sandboxCalls(operationId: string) {
  return stack.sandbox.requestLog.entries().filter((e) => e.operationId === operationId);
}

describe('the write audit', () => {
  it('records one line per write with who, what, where and NeonPanel’s answer, and nothing secret', async () => {
    const before = auditLines().length;
    stack.sandbox.requestLog.clear();
    const result = await client.callTool({ name: 'create_documents', arguments: createArgs() });
    expect(result.isError, toolText(result)).toBeFalsy();
    const [line] = await newAuditLines(before, 1);
    const sent = sandboxCalls('createDocuments');
    expect(sent).toHaveLength(1);
    expect(line).toMatchObject({
      log: 'audit',
      tool: 'create_documents',
      sub: 'alice',
      company: companyUuid,
      target: { type: 'bill' },
      outcome: 'ok',
      status: sent[0]?.status,
      upstream_request_id: sent[0]?.requestId,
    });
    expect(typeof line?.['client_id']).toBe('string');
    expect(line?.['duration_ms']).toEqual(expect.any(Number));
    expect(Date.parse(String(line?.['time']))).not.toBeNaN();
    const raw = readFileSync(auditFile, 'utf8');
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(BODY_SECRET);
    expect(raw).not.toContain('B-77');
  });

  it('records a write the bridge refused for its arguments, and reads are not audited', async () => {
    const before = auditLines().length;
    // The read goes first: the audit log is written in order, so once the write's line is there, a line
    // for the read would be there too, and newAuditLines would find two.
    await client.callTool({ name: 'list_companies', arguments: {} });
    const refused = await client.callTool({ name: 'create_documents', arguments: { companyUuid, type: 'bill' } });
    expect(refused.isError).toBe(true);
    const [line] = await newAuditLines(before, 1);
    expect(line).toMatchObject({ tool: 'create_documents', outcome: 'invalid_arguments', company: companyUuid });
    expect(line?.['status']).toBeUndefined();
  });

  it('counts writes by tool and outcome', async () => {
    const metrics = await stack.bridge.metrics.registry.getSingleMetricAsString('neonpanel_mcp_tool_writes_total');
    expect(metrics).toMatch(
      /neonpanel_mcp_tool_writes_total\{tool="create_documents",outcome="invalid_arguments"\} [1-9]/,
    );
  });
});

describe('a write is sent once', () => {
  it('meets a 500: one request at NeonPanel, the failure audited', async () => {
    stack.sandbox.requestLog.clear();
    stack.sandbox.faults.set({ route: 'createDocuments', kind: 'error', status: 500 });
    const before = auditLines().length;
    const result = await client.callTool({ name: 'create_documents', arguments: createArgs() });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/temporary server error \(HTTP 500\)/);
    expect(sandboxCalls('createDocuments')).toHaveLength(1);
    const [line] = await newAuditLines(before, 1);
    expect(line).toMatchObject({ outcome: 'unavailable', status: 500 });
  });

  it('meets a reset connection: one request at NeonPanel, and the model is told it may have applied', async () => {
    stack.sandbox.requestLog.clear();
    stack.sandbox.faults.set({ route: 'createDocuments', kind: 'reset' });
    const before = auditLines().length;
    const result = await client.callTool({ name: 'create_documents', arguments: createArgs() });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/may or may not have reached NeonPanel/);
    expect(sandboxCalls('createDocuments')).toHaveLength(1);
    const [line] = await newAuditLines(before, 1);
    expect(line).toMatchObject({ outcome: 'connection' });
  });
});

describe('company ids', () => {
  /** The numeric id NeonPanel gives a company, as list_companies shows it. */
  function numericIdOf(uuid: string): number {
    const id = stack.sandbox.data.companyByUuid.get(uuid)?.id;
    if (typeof id !== 'number') throw new Error('the sandbox gives companies no numeric id');
    return id;
  }

  it('takes a company’s numeric id where the API wants its uuid', async () => {
    const byUuid = await client.callTool({ name: 'list_warehouses', arguments: { companyUuid } });
    const byId = await client.callTool({
      name: 'list_warehouses',
      arguments: { companyUuid: numericIdOf(companyUuid) },
    });
    expect(byId.isError, toolText(byId)).toBeFalsy();
    expect(byId.structuredContent).toEqual(byUuid.structuredContent);
    const asText = await client.callTool({
      name: 'list_warehouses',
      arguments: { companyUuid: String(numericIdOf(companyUuid)) },
    });
    expect(asText.structuredContent).toEqual(byUuid.structuredContent);
  });

  it('answers the right argument and tool for an id that is not one of the caller’s companies', async () => {
    const bobsCompany = stack.sandbox.users['bob']?.companyUuids.find(
      (uuid) => !stack.sandbox.users['alice']?.companyUuids.includes(uuid),
    ) as string;
    stack.sandbox.requestLog.clear();
    const result = await client.callTool({
      name: 'list_warehouses',
      arguments: { companyUuid: numericIdOf(bobsCompany) },
    });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toMatch(/companyUuid takes a company's uuid.*list_companies/);
    expect(sandboxCalls('listWarehouses')).toHaveLength(0);

    // A write given such an id is refused the same way, sends nothing, and is audited as refused.
    const before = auditLines().length;
    const write = await client.callTool({
      name: 'create_documents',
      arguments: { ...createArgs(), companyUuid: numericIdOf(bobsCompany) },
    });
    expect(write.isError).toBe(true);
    expect(sandboxCalls('createDocuments')).toHaveLength(0);
    const [line] = await newAuditLines(before, 1);
    expect(line).toMatchObject({ tool: 'create_documents', outcome: 'company_unresolved' });
    expect(JSON.stringify(line)).not.toContain(BODY_SECRET);
  });
});
