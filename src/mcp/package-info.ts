import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's name, version and description, read once from package.json. */
export interface PackageInfo {
  name: string;
  version: string;
  description: string;
}

/**
 * Finds the project's package.json by walking up from this file, so the same code works from
 * `src/` (tsx) and from `dist/src/` (compiled).
 */
function readPackageJson(): PackageInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<PackageInfo>;
      if (parsed.name === 'neonpanel-mcp') {
        return { name: parsed.name, version: parsed.version ?? '0.0.0', description: parsed.description ?? '' };
      }
    } catch {
      // no package.json at this level: keep walking up
    }
    dir = dirname(dir);
  }
  return { name: 'neonpanel-mcp', version: '0.0.0', description: '' };
}

/** This package's identity (name, version from package.json, description). */
export const packageInfo: Readonly<PackageInfo> = Object.freeze(readPackageJson());
