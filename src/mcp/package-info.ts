import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../openapi/package-root.js';

/** The package's name, version and description, read once from package.json. */
export interface PackageInfo {
  name: string;
  version: string;
  description: string;
}

/** Reads package.json at the package root (found the same way the bundled documents are). */
function readPackageJson(): PackageInfo {
  const parsed = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as Partial<PackageInfo>;
  return {
    name: parsed.name ?? 'neonpanel-mcp',
    version: parsed.version ?? '0.0.0',
    description: parsed.description ?? '',
  };
}

/** This package's identity (name, version from package.json, description). */
export const packageInfo: Readonly<PackageInfo> = Object.freeze(readPackageJson());
