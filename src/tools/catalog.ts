import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from '../openapi/operations.js';
import { packageRoot } from '../openapi/package-root.js';
import type { Overlay } from './overlay.js';

/**
 * The generated tool catalog, relative to the package root. `npm run build` writes it from the API
 * document and the overlay (scripts/build.ts); never edit it by hand. A test fails when it is stale.
 */
export const CATALOG_FILE = 'src/tools/catalog.generated.json';

/**
 * Everything the tools are built from, computed ahead of time: the operations with their JSON
 * Schemas (the document parsed, validated, dereferenced and converted) and the checked overlay.
 * Start-up reads this one JSON file instead of parsing YAML and converting schemas.
 */
export interface ToolCatalog {
  /** The API document's `info.title` and `info.version`. */
  api: { title: string; version: string };
  /** One per API operation, in document order. */
  operations: Operation[];
  overlay: Overlay;
}

/** Reads the generated catalog (default: the package's own). */
export function loadCatalog(path: string = join(packageRoot(), CATALOG_FILE)): ToolCatalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the tool catalog ${path} (\`npm run build\` generates it): ${(err as Error).message}`);
  }
  return JSON.parse(text) as ToolCatalog;
}
