import { type ApiDocument, extractOperations, loadApiDocument } from '../openapi/index.js';
import type { ToolCatalog } from './catalog.js';
import { loadOverlay, type Overlay } from './overlay.js';

/**
 * Builds a tool catalog from an API document and an overlay. Used at build time, by
 * `openapi:check` for another copy of the document, and by the test that keeps the generated file fresh;
 * the server itself only reads the generated file, so it never loads the YAML and schema tooling.
 */
export function buildCatalog(document: ApiDocument, overlay: Overlay): ToolCatalog {
  return {
    api: { title: document.title, version: document.version },
    operations: extractOperations(document),
    overlay,
  };
}

/** The catalog of the bundled API document and overlay: what `npm run build` writes. */
export async function buildBundledCatalog(): Promise<ToolCatalog> {
  return buildCatalog(await loadApiDocument(), loadOverlay());
}

/** The generated file's exact text (indented, so a change to the tools reads well in a diff). */
export function serializeCatalog(catalog: ToolCatalog): string {
  return `${JSON.stringify(catalog, null, 2)}\n`;
}
