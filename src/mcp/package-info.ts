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

/** Where people learn about NeonPanel; clients show it beside the server's name. */
const WEBSITE_URL = 'https://neonpanel.com';

/** The paths the bridge serves its icons at (src/http/icons.ts), relative to MCP_PUBLIC_URL. */
export const ICON_PATHS = { svg: '/icon.svg', png: '/icon.png' } as const;

/** The side of the square PNG icon, pixels. */
export const PNG_ICON_SIZE = 64;

/** An MCP `Icon` (2025-11-25 `Implementation.icons`). */
export interface ServerIcon {
  src: string;
  mimeType: string;
  sizes: string[];
}

/** The `serverInfo` every transport and era sends, and `GET /` repeats. */
export interface ServerIdentity {
  name: string;
  title: string;
  version: string;
  description: string;
  websiteUrl: string;
  icons: ServerIcon[];
}

/**
 * The bridge's identity for `publicUrl` (MCP_PUBLIC_URL): the icons are absolute URLs of the bridge's own
 * routes, so clients that fetch them (ChatGPT, Claude) need nothing besides the bridge.
 */
export function serverIdentity(publicUrl: string): ServerIdentity {
  return {
    name: packageInfo.name,
    title: 'NeonPanel',
    version: packageInfo.version,
    description: packageInfo.description,
    websiteUrl: WEBSITE_URL,
    icons: [
      { src: `${publicUrl}${ICON_PATHS.svg}`, mimeType: 'image/svg+xml', sizes: ['any'] },
      {
        src: `${publicUrl}${ICON_PATHS.png}`,
        mimeType: 'image/png',
        sizes: [`${PNG_ICON_SIZE}x${PNG_ICON_SIZE}`],
      },
    ],
  };
}
