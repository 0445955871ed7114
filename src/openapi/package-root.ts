import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundled NeonPanel API document, relative to the package root. */
export const BUNDLED_API_DOCUMENT = 'openapi/neonpanel-api.openapi.json';

let found: string | undefined;

/** The nearest folder at or above `from` holding a package.json and the API document, if any. */
export function findPackageRoot(from: string): string | undefined {
  for (let dir = from; ; ) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, BUNDLED_API_DOCUMENT))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The package root: the nearest folder above this module holding our package.json and the API
 * document. Walking up works from `src/openapi/` (tsx, tests) and from the built bundle in `dist/src/`.
 * Found once: several modules read a file from it at start. Kept apart from the document parser so
 * that code needing only the root does not load a YAML parser.
 */
export function packageRoot(): string {
  if (found) return found;
  const from = dirname(fileURLToPath(import.meta.url));
  found = findPackageRoot(from);
  if (!found) throw new Error(`no package root with ${BUNDLED_API_DOCUMENT} above ${from}`);
  return found;
}
