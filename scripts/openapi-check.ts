/**
 * `npm run openapi:check -- [--base <file-or-url>] <file-or-url>`: compares another copy of the
 * NeonPanel API document (OpenAPI 3.0 or 3.1, JSON or YAML) with the bundled one (or with `--base`)
 * and prints what would change for a person
 * to review: tools added and removed, and per tool its arguments and answer fields; then what
 * src/tools/overlay.yaml would lack (a new operation without a curated title and description stops
 * the build). Exit code 1 when a change is breaking (a tool or argument removed or renamed, a new
 * required argument, an enum value removed) or the overlay would stop the build, 2 when the other
 * document cannot be read or is not a usable OpenAPI document.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { type ApiDocument, loadApiDocument, parseApiDocument } from '../src/openapi/index.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import type { ToolCatalog } from '../src/tools/catalog.js';
import { buildCatalog, catalogProblems } from '../src/tools/catalog-source.js';
import { type ComparableTool, diffToolDefinitions, formatToolChanges } from '../src/tools/diff.js';
import { createToolset } from '../src/tools/index.js';
import { toolNameFor } from '../src/tools/names.js';
import { loadOverlay } from '../src/tools/overlay.js';

async function readSource(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`GET ${source} answered HTTP ${res.status}`);
    return res.text();
  }
  return readFile(source, 'utf8');
}

/** The tools a catalog gives, with the answer fields each operation documents. */
async function toolsOf(catalog: ToolCatalog): Promise<ComparableTool[]> {
  const toolset = await createToolset({
    config: loadConfig({}),
    logger: silentLogger(),
    metrics: createMetrics(),
    catalog,
  });
  await toolset.close();
  const answers = new Map(
    catalog.operations.map((op) => [toolNameFor(op.operationId), Object.keys(op.response?.schema.properties ?? {})]),
  );
  return toolset.list().tools.map((tool) => ({ ...tool, answerFields: answers.get(tool.name) ?? [] }));
}

async function readDocument(source: string): Promise<ApiDocument> {
  return parseApiDocument(await readSource(source), source);
}

/**
 * Compares `source` with the bundled document (or `base`): the report to print and the exit code.
 * The base is built as `npm run build` would, except that a base other than the bundled document
 * need not match the overlay.
 */
export async function openapiCheck(
  source: string | undefined,
  base?: string,
): Promise<{ code: number; report: string }> {
  if (!source) return { code: 2, report: 'usage: npm run openapi:check -- [--base <file-or-url>] <file-or-url>' };
  let other: ApiDocument;
  let bundled: ApiDocument;
  try {
    other = await readDocument(source);
    bundled = base ? await readDocument(base) : await loadApiDocument();
  } catch (err) {
    return {
      code: 2,
      report: `cannot use ${err instanceof Error && 'source' in err ? err.source : source}: ${(err as Error).message}`,
    };
  }
  const overlay = loadOverlay();
  const current = await toolsOf(buildCatalog(bundled, overlay, { checkOverlay: !base }));
  // The other document is compared as it is: what the overlay lacks for it is reported, not fatal.
  const otherCatalog = buildCatalog(other, overlay, { checkOverlay: false });
  const changes = diffToolDefinitions(current, await toolsOf(otherCatalog));
  const overlayProblems = catalogProblems(otherCatalog.operations, overlay);
  const report = [
    `Comparing ${base ?? 'the bundled API document'} (version ${bundled.version}, OpenAPI ${bundled.dialect}) ` +
      `with ${source} (version ${other.version}, OpenAPI ${other.dialect}):`,
    '',
    formatToolChanges(
      changes,
      current.map((tool) => tool.name),
    ),
    ...(overlayProblems.length > 0
      ? ['', 'With this document `npm run build` would stop until the overlay is brought up to date:']
      : []),
    ...overlayProblems.map((problem) => `  ${problem}`),
  ].join('\n');
  const breaking = changes.some((change) => change.breaking) || overlayProblems.length > 0;
  return { code: breaking ? 1 : 0, report };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({ options: { base: { type: 'string' } }, allowPositionals: true });
  const { code, report } = await openapiCheck(positionals[0], values.base);
  (code === 2 ? console.error : console.log)(report);
  process.exitCode = code;
}
