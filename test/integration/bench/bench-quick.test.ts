/**
 * Keeps `npm run bench` working: runs `bench/run.ts --quick` once, writing to a temporary file, and
 * checks that the report has every row with finite, positive figures. No timing assertions: the
 * figures depend on the machine; only their presence and sanity are checked.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadingNumber, tableCells } from '../../helpers/markdown-table.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUN_TIMEOUT_MS = 240_000;

/**
 * The cells of every row (header row excluded) of the first table at or after `marker`: a heading
 * (`## Targets`) or a table's own header line.
 */
function tableRows(markdown: string, marker: string): string[][] {
  const start = markdown.indexOf(marker);
  if (start < 0) throw new Error(`no "${marker}" in the report`);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  return lines.slice(first + 2, end < 0 ? undefined : end).map(tableCells);
}

function expectPositive(cell: string | undefined): void {
  const value = leadingNumber(cell);
  expect(Number.isFinite(value), `"${cell}" is not a number`).toBe(true);
  expect(value, `"${cell}" is not positive`).toBeGreaterThan(0);
}

/** The "server CPU ÷ baseline" cell: a ratio for the bridge, a dash for the sandbox, the floor itself. */
function expectRatio(transport: string, cell: string | undefined): void {
  if (transport.startsWith('sandbox direct')) expect(cell).toBe('–');
  else if (transport.startsWith('pass-through baseline')) expect(cell).toBe('(the floor)');
  else {
    expect(cell, `${transport}: server CPU ÷ baseline`).toMatch(/^\d+(\.\d+)?×$/);
    expectPositive(cell);
  }
}

describe('npm run bench -- --quick', () => {
  let dir: string;
  let report: string;
  let stderr: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-quick-'));
    const out = join(dir, 'benchmarks.md');
    stderr = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out],
        { cwd: ROOT, timeout: RUN_TIMEOUT_MS, maxBuffer: 10 * 1024 * 1024 },
        (error, _stdout, errText) => (error ? reject(new Error(`${error.message}\n${errText}`)) : resolve(errText)),
      );
    });
    report = await readFile(out, 'utf8');
  }, RUN_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says where and how it ran', () => {
    expect(report).toMatch(/^# Benchmarks/);
    for (const label of ['date', 'machine', 'Node.js', 'commit', 'load average', 'CPU placement']) {
      expect(report).toContain(`| ${label}`);
    }
    expect(stderr).toContain('[bench] wrote');
  });

  it('measures tools/call over every transport, the sandbox and the baseline at concurrency 1 and 64, without errors', () => {
    const rows = tableRows(report, '\n## 1. `tools/call');
    const transports = [
      'Streamable HTTP, stateless',
      'Streamable HTTP, 2026-07-28',
      'Streamable HTTP, 2025-11-25 session',
      'legacy `POST /messages` direct',
      'legacy HTTP+SSE',
      'sandbox direct',
      'pass-through baseline',
    ];
    expect(rows).toHaveLength(transports.length * 2);
    expect(report).toContain('Added latency over the direct sandbox call');
    for (const concurrency of ['1', '64']) {
      for (const transport of transports) {
        const row = rows.find((cells) => cells[0]!.startsWith(transport) && cells[1] === concurrency);
        expect(row, `${transport} at c=${concurrency}`).toBeDefined();
        for (const cell of row!.slice(2, 6)) expectPositive(cell);
        expectRatio(transport, row![6]);
        if (transport === 'sandbox direct') expect(row![7]).toBe('(is the server)');
        else expectPositive(row![7]);
        expect(row![8], `errors of ${transport} at c=${concurrency}`).toBe('0');
      }
    }
  });

  it('measures tools/call at a steady rate on every transport, the sandbox and the baseline, and the latency added', () => {
    const rows = tableRows(report, '\n### At a steady');
    expect(rows).toHaveLength(7);
    for (const row of rows) {
      expect(row[1]).toMatch(/^≤ 64 at \d+\/s$/);
      for (const cell of row.slice(2, 6)) expectPositive(cell);
      expectRatio(row[0]!, row[6]);
      expect(row[8]).toBe('0');
    }
    // The subsection's second table: latency added over the direct sandbox call.
    const addedRows = tableRows(report, '| transport | added p50');
    expect(addedRows.map((row) => row[0])).toHaveLength(6);
    for (const row of addedRows) {
      for (const cell of row.slice(1)) expect(Number.isFinite(leadingNumber(cell)), `${row[0]}: "${cell}"`).toBe(true);
    }
  });

  it('measures tools/list at concurrency 64 on every bridge transport', () => {
    const rows = tableRows(report, '\n## 2. `tools/list`');
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row[1]).toBe('64');
      for (const cell of row.slice(2, 6)) expectPositive(cell);
      // The baseline has no tools/list to compare with.
      expect(row[6]).toBe('–');
      // tools/list never reaches the sandbox, so its CPU there may round to 0.
      expect(leadingNumber(row[7])).toBeGreaterThanOrEqual(0);
      expect(row[8]).toBe('0');
    }
  });

  it('measures token validation, idle memory, cold start and the tools/list size', () => {
    const tokens = tableRows(report, '\n## 3. Token validation');
    expect(tokens.map((row) => row[0]!.split(' ')[0])).toEqual(['new', 'cached,', 'cached']);
    for (const row of tokens) expectPositive(row[1]);

    const memory = tableRows(report, '\n## 4. Idle memory');
    expect(memory.map((row) => row[0])).toEqual(['legacy SSE stream', 'Streamable HTTP session']);
    for (const row of memory) {
      expectPositive(row[1]);
      expect(Number.isFinite(leadingNumber(row[2]))).toBe(true);
    }

    const [coldStart] = tableRows(report, '\n## 5. Cold start');
    expect(coldStart![0]).toMatch(/node/);
    expectPositive(coldStart![1]);

    // Every view a connection can choose: all tools, read-only, each toolset; all within the budget.
    const sizes = tableRows(report, '\n## 6. `tools/list` size');
    expect(sizes.slice(0, 2).map((row) => row[1])).toEqual(['`/mcp`', '`/mcp/readonly`']);
    expect(sizes.length).toBeGreaterThan(2);
    for (const row of sizes) {
      for (const cell of row.slice(2, 5)) expectPositive(cell);
      expect(leadingNumber(row[5]), `${row[0]}: share of the budget`).toBeLessThanOrEqual(100);
    }
  });

  it('measures tools/call with state in Redis against state in memory, without errors', () => {
    const rows = tableRows(report, '\n## 7. Shared state in Redis');
    expect(rows.map((row) => row[0]!.split(',')[0])).toEqual(['Streamable HTTP', 'Streamable HTTP']);
    expect(rows.map((row) => row[0])).toEqual([
      expect.stringContaining('stateless'),
      expect.stringContaining('session'),
    ]);
    for (const row of rows) {
      for (const cell of row.slice(1, 6)) expectPositive(cell);
      expect(row[3]).toMatch(/×$/);
      // Redis's CPU comes from /proc in clock ticks (10 ms): a quick run's few milliseconds may read as 0.
      expect(leadingNumber(row[6])).toBeGreaterThanOrEqual(0);
      expect(row[7]).toBe('0');
    }
  });

  it('judges every target as met or not with its figure', () => {
    const targets = tableRows(report, '\n## Targets');
    // 5 transports × (throughput, latency, latency at a steady rate) + errors + 2 token + 2 memory + cold start + tools/list size
    expect(targets).toHaveLength(22);
    for (const [target, figureText, met] of targets) {
      expect(target).not.toBe('');
      expect(figureText).toMatch(/\d/);
      expect(figureText).not.toContain('n/a');
      expect(['yes', '**no**']).toContain(met);
    }
  });
});
