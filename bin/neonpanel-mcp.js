#!/usr/bin/env node
// The `neonpanel-mcp` command: runs the compiled CLI. `npm ci` builds it (the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('neonpanel-mcp is not built yet: run `npm run build` in the package folder (npm ci does it for you).');
  process.exit(1);
}
await import(entry.href);
