/**
 * `npm run openapi:check -- <file-or-url>`: compares another copy of the NeonPanel API document with
 * the bundled one and prints, per tool, what would change. Exit code 1 when a change is breaking
 * (a tool or parameter removed or renamed, a new required field, an enum value removed), 2 when the
 * other document cannot be read or is not a usable OpenAPI 3.0 document.
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/index.js';
import { type ApiDocument, loadApiDocument, parseApiDocument } from '../src/openapi/index.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { createToolset, diffToolDefinitions, formatToolChanges, toolsListResult } from '../src/tools/index.js';

async function readSource(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`GET ${source} answered HTTP ${res.status}`);
    return res.text();
  }
  return readFile(source, 'utf8');
}

async function definitionsOf(document: ApiDocument) {
  const toolset = await createToolset({ config: loadConfig({}), logger: silentLogger(), metrics: createMetrics(), document });
  await toolset.close();
  return toolsListResult(toolset).tools;
}

async function main(argv: string[]): Promise<number> {
  const source = argv.find((arg) => !arg.startsWith('-'));
  if (!source) {
    console.error('usage: npm run openapi:check -- <file-or-url>');
    return 2;
  }
  let other: ApiDocument;
  try {
    other = await parseApiDocument(await readSource(source), source);
  } catch (err) {
    console.error(`cannot use ${source}: ${(err as Error).message}`);
    return 2;
  }
  const bundled = await loadApiDocument();
  const current = await definitionsOf(bundled);
  const next = await definitionsOf(other);
  const changes = diffToolDefinitions(current, next);
  console.log(`Comparing the bundled API document (version ${bundled.version}) with ${source} (version ${other.version}):\n`);
  console.log(formatToolChanges(changes, current.map((tool) => tool.name)));
  return changes.some((change) => change.breaking) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
