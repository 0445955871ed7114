import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundled NeonPanel API document, relative to the package root. */
export const BUNDLED_API_DOCUMENT = 'openapi/neonpanel-api.openapi.yaml';

/**
 * The package root: the nearest folder above this module holding our package.json and the API
 * document. Walking up works from `src/openapi/` (tsx, tests) and from the built bundle in `dist/src/`.
 * Kept apart from the document parser so that code needing only the root does not load a YAML parser.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && existsSync(join(dir, BUNDLED_API_DOCUMENT))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package root with ${BUNDLED_API_DOCUMENT} above ${from}`);
    dir = parent;
  }
}
