/**
 * Load with upstream faults: one minute of mixed MCP traffic from many users over every transport,
 * at about 70% of what the bridge can sustain, while the sandbox injects 500s, 429s, resets and
 * 3 s delays. Proves that every request is answered, every fault reaches the model as the documented
 * tool error, no write is sent twice, and the bridge gives its memory back afterwards.
 *
 * The bridge runs as a child process (support/bridge-child.ts) so its own RSS and heap can be read
 * after a full GC, and its stdout is the log the secrets check scans.
 */
import { readFileSync } from 'node:fs';
import { type CallToolResult, ProtocolError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../sandbox/faults.js';
import type { RequestLogEntry } from '../../sandbox/request-log.js';
import { readBenchmarkThroughput } from './support/benchmark-figure.js';
import { recordFigures } from './support/figures.js';
import { type LoadOp, type OpResult, runLoad } from './support/load.js';
import { type ConnectedClient, connectClient, TRANSPORTS, type TransportKind } from './support/mcp-clients.js';
import { seededRandom } from './support/random.js';
import { type Stack, startStack } from './support/stack.js';
import { classifyToolError, resultText, type ToolErrorClass, uuidsIn } from './support/tool-errors.js';

const RUN_MS = 60_000;
const PROBE_MS = 5_000;
/** Users with companies (the sandbox's demo users) and users with none (tools/list, company-free reads). */
const COMPANY_USERS = ['alice', 'bob'] as const;
const OTHER_USERS = ['carol', 'dave', 'erin', 'frank', 'grace', 'heidi'] as const;

/** 2% 500s, 1% 429s (half with a Retry-After the bridge may wait for, half too long), 1% resets, 1% 3 s delays. */
const FAULTS: FaultRule[] = [
  { route: '/api/**', kind: 'latency', latencyMs: 3_000, probability: 0.01 },
  { route: '/api/**', kind: 'error', status: 500, probability: 0.02 },
  { route: '/api/**', kind: 'rate_limit', retryAfterSeconds: 1, probability: 0.005 },
  { route: '/api/**', kind: 'rate_limit', retryAfterSeconds: 120, probability: 0.005 },
  { route: '/api/**', kind: 'reset', probability: 0.01 },
];

interface ToolCallRecord {
  tool: string;
  isError: boolean;
  text: string;
}

interface UserState {
  sub: string;
  token: string;
  clients: Record<TransportKind, ConnectedClient>;
  companies: string[];
  warehouses: { companyUuid: string; warehouseUuid: string }[];
  items: { companyUuid: string; inventoryId: number }[];
  imports: { companyUuid: string; requestId: string }[];
}

describe('load with upstream faults', () => {
  let stack: Stack;
  const users: UserState[] = [];
  const calls: ToolCallRecord[] = [];
  const random = seededRandom(2026);
  const pickOf = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        // Inbound rate limits would answer 429 before any upstream fault; they are the limits test's subject.
        MCP_RATE_LIMIT_PER_USER: '0',
        MCP_RATE_LIMIT_PER_IP: '0',
        MCP_MAX_CONCURRENT_UPSTREAM_PER_USER: '256',
        MCP_MAX_SESSIONS_PER_USER: '1000',
        MCP_MAX_SSE_STREAMS_PER_USER: '1000',
      },
      sandbox: { importDelayMs: 200 },
    });
    for (const sub of [...COMPANY_USERS, ...OTHER_USERS]) {
      const token = await stack.token(sub);
      const companies = [...(stack.sandbox.users[sub]?.companyUuids ?? [])];
      users.push({
        sub,
        token,
        clients: await connectAll(token),
        companies,
        warehouses: stack.sandbox.data.warehouses
          .filter((w) => companies.includes(w.companyUuid))
          .map((w) => ({ companyUuid: w.companyUuid, warehouseUuid: w.uuid })),
        items: stack.sandbox.data.inventory
          .filter((item) => companies.includes(item.companyUuid))
          .slice(0, 50)
          .map((item) => ({ companyUuid: item.companyUuid, inventoryId: item.id })),
        imports: [],
      });
    }
  });

  afterAll(async () => {
    await closeAll();
    await stack?.stop();
  });

  /** One client per transport for a user: the long-lived connections of the run. */
  async function connectAll(token: string): Promise<Record<TransportKind, ConnectedClient>> {
    const clients = {} as Record<TransportKind, ConnectedClient>;
    for (const kind of TRANSPORTS) clients[kind] = await connectClient(stack.bridge.url, token, kind);
    return clients;
  }

  /** Ends every user's connections (DELETE for sessions, stream closed for SSE). */
  async function closeAll(): Promise<void> {
    for (const user of users) for (const client of Object.values(user.clients)) await client.close().catch(() => {});
  }

  /** Heap and RSS of the bridge with no client connected, after its sessions had a moment to go. */
  async function idleMemory() {
    await closeAll();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return stack.bridge.memory();
  }

  /** Calls a tool and turns whatever happens into an OpResult, recording tool errors for the fault check. */
  async function callTool(user: UserState, name: string, args: Record<string, unknown>): Promise<OpResult> {
    const { client } = user.clients[pickOf(TRANSPORTS)];
    try {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      const text = resultText(result);
      calls.push({ tool: name, isError: result.isError === true, text: result.isError ? text : '' });
      if (!result.isError) {
        const requestId = name === 'create_documents' ? importRequestId(text) : undefined;
        if (requestId) user.imports.push({ companyUuid: String(args['companyUuid']), requestId });
        return { answered: true, outcome: 'ok' };
      }
      return { answered: true, outcome: `tool_error:${classifyToolError(text)}` };
    } catch (error) {
      calls.push({ tool: name, isError: true, text: `JSON-RPC error: ${String(error)}` });
      if (error instanceof ProtocolError) return { answered: true, outcome: `jsonrpc_error:${error.code}` };
      throw error;
    }
  }

  const withCompany = (fn: (user: UserState) => Promise<OpResult>) => () =>
    fn(pickOf(users.filter((u) => u.companies.length > 0)));

  const ops: LoadOp[] = [
    {
      name: 'tools/list',
      weight: 10,
      async run() {
        const user = pickOf(users);
        const listed = await user.clients[pickOf(TRANSPORTS)].client.listTools();
        return { answered: true, outcome: listed.tools.length > 0 ? 'ok' : 'empty' };
      },
    },
    { name: 'list_companies', weight: 12, run: () => callTool(pickOf(users), 'list_companies', {}) },
    { name: 'list_reports', weight: 4, run: () => callTool(pickOf(users), 'list_reports', {}) },
    {
      name: 'get_import_instructions',
      weight: 4,
      run: () => callTool(pickOf(users), 'get_import_instructions', { type: 'bill' }),
    },
    {
      name: 'list_warehouses',
      weight: 8,
      run: withCompany((u) => callTool(u, 'list_warehouses', { companyUuid: pickOf(u.companies) })),
    },
    {
      name: 'warehouse_balances',
      weight: 6,
      run: withCompany((u) => callTool(u, 'warehouse_balances', pickOf(u.warehouses))),
    },
    {
      name: 'list_inventory_items',
      weight: 12,
      run: withCompany((u) => callTool(u, 'list_inventory_items', { companyUuid: pickOf(u.companies), per_page: 30 })),
    },
    {
      name: 'inventory_balances',
      weight: 8,
      run: withCompany((u) => callTool(u, 'inventory_balances', pickOf(u.items))),
    },
    {
      name: 'revenue_and_cogs_summary',
      weight: 8,
      run: withCompany((u) =>
        callTool(u, 'revenue_and_cogs_summary', {
          company_uuids: u.companies,
          start_date: '2024-01-01',
          periodicity: pickOf(['total', 'yearly', 'quarterly', 'monthly']),
        }),
      ),
    },
    {
      name: 'create_documents',
      weight: 8,
      run: withCompany((u) =>
        callTool(u, 'create_documents', {
          companyUuid: pickOf(u.companies),
          type: 'bill',
          data: { ref_number: `LOAD-${Math.floor(random() * 1e9)}`, lines: [{ sku: 'SKU-1', quantity: 1 }] },
        }),
      ),
    },
    {
      name: 'check_import_processing',
      weight: 4,
      run: withCompany((u) => {
        const made = u.imports.length > 0 ? pickOf(u.imports) : undefined;
        if (!made) return callTool(u, 'list_companies', {});
        return callTool(u, 'check_import_processing', { ...made, type: 'bill' });
      }),
    },
    {
      name: 'session churn',
      weight: 4,
      async run() {
        // A client that comes, lists, calls once and leaves: sessions and streams must be freed.
        const user = pickOf(users);
        const session = await connectClient(stack.bridge.url, user.token, pickOf(TRANSPORTS));
        try {
          await session.client.listTools();
          const result = (await session.client.callTool({ name: 'list_companies', arguments: {} })) as CallToolResult;
          calls.push({ tool: 'list_companies', isError: result.isError === true, text: resultText(result) });
          return {
            answered: true,
            outcome: result.isError ? `tool_error:${classifyToolError(resultText(result))}` : 'ok',
          };
        } finally {
          await session.close();
        }
      },
    },
  ];

  it('answers every request, surfaces every upstream fault, never sends a write twice and gives memory back', async () => {
    const { sandbox, bridge } = stack;

    // Probe (also the warm-up): as fast as 32 operations in flight allow, no faults.
    const probeCpu = cpuSeconds(bridge.pid);
    const probe = await runLoad({ ops, ratePerSecond: 100_000, durationMs: PROBE_MS, maxInFlight: 32, random });
    const probeBridgeCpu = (cpuSeconds(bridge.pid) - probeCpu) / (probe.durationMs / 1000);
    expect(probe.unanswered, probe.unansweredSamples.join('\n')).toBe(0);
    const probeRate = (probe.sent / probe.durationMs) * 1000;
    const benchmark = readBenchmarkThroughput();
    // 70% of the benchmark's figure, but never above 70% of what this heavier mix (writes, sessions,
    // sandbox and client in one process) reached in the probe on this machine.
    const capacity = Math.min(benchmark?.requestsPerSecond ?? probeRate, probeRate);
    const targetRate = Math.max(5, Math.round(0.7 * capacity));
    // Memory is compared with no client connected, before and after the run: whatever the run
    // created (sessions, streams, event logs, caches of users gone) must be given back.
    const memoryBefore = await idleMemory();
    for (const user of users) user.clients = await connectAll(user.token);

    sandbox.requestLog.clear();
    sandbox.faults.set(FAULTS);
    calls.length = 0;
    const runCpu = cpuSeconds(bridge.pid);
    const report = await runLoad({ ops, ratePerSecond: targetRate, durationMs: RUN_MS, maxInFlight: 512, random });
    const runBridgeCpu = (cpuSeconds(bridge.pid) - runCpu) / (report.durationMs / 1000);
    const injected = { ...sandbox.faults.injected };
    sandbox.faults.clear();
    const entries: readonly RequestLogEntry[] = sandbox.requestLog.entries();

    // Every request answered, client side.
    expect(report.unanswered, report.unansweredSamples.join('\n')).toBe(0);
    expect(report.sent).toBeGreaterThan(RUN_MS / 1000);

    // Both sides: every tool call that was made reached NeonPanel under exactly one X-Request-Id.
    const groups = new Map<string, RequestLogEntry[]>();
    for (const entry of entries.filter((e) => e.operationId)) {
      const group = groups.get(entry.requestId) ?? [];
      group.push(entry);
      groups.set(entry.requestId, group);
    }
    expect(sandbox.requestLog.total).toBe(entries.length);
    expect(groups.size).toBe(calls.length);

    // Faults happened, of every kind asked for.
    expect(injected.error).toBeGreaterThan(0);
    expect(injected.rate_limit).toBeGreaterThan(0);
    expect(injected.reset).toBeGreaterThan(0);
    expect(injected.latency).toBeGreaterThan(0);

    // Every upstream call whose last attempt failed reached the model as the documented tool error.
    const expectedClass = (last: RequestLogEntry): ToolErrorClass | undefined => {
      if (last.fault === 'error' || last.fault === 'reset') return 'temporary';
      if (last.fault === 'rate_limit') return 'retry_later';
      return undefined;
    };
    const faultedById = new Map<string, ToolErrorClass>();
    for (const [requestId, group] of groups) {
      const cls = expectedClass(group.reduce((a, b) => (b.at >= a.at ? b : a)));
      if (cls) faultedById.set(requestId, cls);
    }
    const errors = calls.filter((call) => call.isError);
    const misclassified = errors.filter((call) => {
      const cls = classifyToolError(call.text);
      if (cls === 'other') return true;
      const named = uuidsIn(call.text).find((id) => faultedById.has(id));
      // A temporary error must name the request id of the failed upstream call.
      if (cls === 'temporary') return !named || faultedById.get(named) !== 'temporary';
      return false;
    });
    expect(misclassified.slice(0, 5), 'tool errors that are not the documented fault error').toEqual([]);
    const surfaced = { temporary: 0, retry_later: 0 };
    for (const call of errors) {
      const cls = classifyToolError(call.text);
      if (cls !== 'other') surfaced[cls]++;
    }
    const faultedFinal = { temporary: 0, retry_later: 0 };
    for (const cls of faultedById.values()) if (cls !== 'other') faultedFinal[cls]++;
    expect(surfaced).toEqual(faultedFinal);

    // Writes are never retried: one upstream POST per create_documents call, no key twice.
    const createCalls = calls.filter((call) => call.tool === 'create_documents').length;
    const createRequests = entries.filter((e) => e.operationId === 'createDocuments').length;
    expect(sandbox.requestLog.duplicateWrites()).toEqual([]);
    expect(createRequests).toBe(createCalls);

    const memoryAfter = await idleMemory();
    const heapGrowth = memoryAfter.heapUsed / memoryBefore.heapUsed - 1;
    const rssGrowth = memoryAfter.rss / memoryBefore.rss - 1;

    const leaks = await stack.scanForLeaks();
    recordFigures('loadFaults', {
      benchmarkThroughput: benchmark ?? null,
      probeThroughputPerSecond: Math.round(probeRate),
      // Share of one core the bridge process used: below 1 in the probe means the client side was the limit.
      bridgeCpuCoresInProbe: round(probeBridgeCpu),
      bridgeCpuCoresInRun: round(runBridgeCpu),
      offeredRatePerSecond: targetRate,
      achievedRatePerSecond: Math.round(report.achievedRate),
      durationMs: Math.round(report.durationMs),
      requestsSent: report.sent,
      requestsAnswered: report.answered,
      heldBackByInFlightCap: report.heldBack,
      toolCalls: calls.length,
      upstreamCallIds: groups.size,
      upstreamRequests: entries.length,
      faultsInjected: injected,
      faultedCallsAfterRetries: faultedFinal,
      faultsSurfacedAsToolErrors: surfaced,
      writes: { toolCalls: createCalls, upstreamRequests: createRequests, duplicates: 0 },
      latencyMs: { p50: round(report.p50Ms), p99: round(report.p99Ms), max: round(report.maxMs) },
      byOperation: report.byOp,
      memory: {
        heapUsedBefore: memoryBefore.heapUsed,
        heapUsedAfter: memoryAfter.heapUsed,
        heapGrowthPercent: round(heapGrowth * 100),
        rssBefore: memoryBefore.rss,
        rssAfter: memoryAfter.rss,
        rssGrowthPercent: round(rssGrowth * 100),
      },
      leaksFound: leaks.length,
    });
    expect(leaks).toEqual([]);
    expect(rssGrowth, `RSS ${memoryBefore.rss} → ${memoryAfter.rss}`).toBeLessThan(0.1);
    expect(heapGrowth, `heap ${memoryBefore.heapUsed} → ${memoryAfter.heapUsed}`).toBeLessThan(0.1);
    expect(bridge.exit).toBeUndefined();
  }, 240_000);

  // Fixed bug (regression test): every answer a Streamable HTTP session streamed was kept in the event log for
  // MCP_SESSION_IDLE_SECONDS (30 min) and was not dropped when the session was deleted
  // (src/mcp/streamable.ts `post` → src/mcp/event-store.ts; `terminate` leaves the events). 2,000
  // list_inventory_items calls kept ~33 MB after DELETE.
  it('gives back the memory of a busy Streamable HTTP session once it is deleted', async () => {
    const { bridge, sandbox } = stack;
    const alice = users.find((user) => user.sub === 'alice')!;
    const before = await idleMemory();
    const session = await connectClient(bridge.url, alice.token, 'streamable');
    const companyUuid = sandbox.users['alice']!.companyUuids[0];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 250; i++)
          await session.client.callTool({ name: 'list_inventory_items', arguments: { companyUuid } });
      }),
    );
    await session.close();
    const after = await idleMemory();
    recordFigures('sessionMemory', {
      calls: 2_000,
      heapUsedBefore: before.heapUsed,
      heapUsedAfterDelete: after.heapUsed,
    });
    expect(after.heapUsed / before.heapUsed - 1).toBeLessThan(0.1);
  }, 180_000);
});

/** User + system CPU seconds a process has used so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The `request_id` NeonPanel gave an import, from the tool's result text. */
function importRequestId(text: string): string | undefined {
  return /"?request_?id"?\s*[:=]\s*"?([0-9a-f-]{36})/i.exec(text)?.[1];
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
