/**
 * `npm run openapi:check -- <file-or-url>`: compares another copy of the NeonPanel API document with
 * the bundled one and prints, per tool, what would change. Exit code 1 when a change is breaking
 * (a tool or parameter removed or renamed, a new required field, an enum value removed), 2 when the
 * other document cannot be read or is not a usable OpenAPI 3.0 document.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { type ApiDocument, loadApiDocument, parseApiDocument } from '../src/openapi/index.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { buildCatalog } from '../src/tools/catalog-source.js';
import { createToolset, diffToolDefinitions, formatToolChanges, toolsListResult } from '../src/tools/index.js';
import { loadOverlay } from '../src/tools/overlay.js';

async function readSource(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`GET ${source} answered HTTP ${res.status}`);
    return res.text();
  }
  return readFile(source, 'utf8');
}

async function definitionsOf(document: ApiDocument) {
  const toolset = await createToolset({
    config: loadConfig({}),
    logger: silentLogger(),
    metrics: createMetrics(),
    catalog: buildCatalog(document, loadOverlay()),
  });
  await toolset.close();
  return toolsListResult(toolset).tools;
}

/** Compares `source` with the bundled document: the report to print and the exit code. */
export async function openapiCheck(source: string | undefined): Promise<{ code: number; report: string }> {
  if (!source) return { code: 2, report: 'usage: npm run openapi:check -- <file-or-url>' };
  let other: ApiDocument;
  try {
    other = await parseApiDocument(await readSource(source), source);
  } catch (err) {
    return { code: 2, report: `cannot use ${source}: ${(err as Error).message}` };
  }
  const bundled = await loadApiDocument();
  const current = await definitionsOf(bundled);
  const changes = diffToolDefinitions(current, await definitionsOf(other));
  const report =
    `Comparing the bundled API document (version ${bundled.version}) with ${source} (version ${other.version}):\n\n` +
    formatToolChanges(
      changes,
      current.map((tool) => tool.name),
    );
  return { code: changes.some((change) => change.breaking) ? 1 : 0, report };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { code, report } = await openapiCheck(process.argv.slice(2).find((arg) => !arg.startsWith('-')));
  (code === 2 ? console.error : console.log)(report);
  process.exitCode = code;
}
