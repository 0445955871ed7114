/**
 * `npm run build` (also run by `npm ci` through `prepare`):
 * 1. regenerates the tool catalog (src/tools/catalog.generated.json) from the API document and the overlay;
 * 2. bundles the server into dist/src/server.cjs: one file starts much faster than hundreds of
 *    separately resolved and compiled modules;
 * 3. builds the launcher dist/src/main.js (src/launch.ts; what `npm start` runs) and writes V8's code
 *    cache for the bundle beside it, made by the same Node that will run it;
 * 4. bundles the CLI into dist/src/cli/main.js (what bin/neonpanel-mcp.js runs).
 *
 * `--outdir DIR` writes to DIR instead of dist/ (the benchmark times the current sources without
 * touching dist/).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { buildViews } from '../src/apps/build-views.js';
import { writeGeneratedFile } from '../src/openapi/generated-file.js';
import { packageRoot } from '../src/openapi/package-root.js';
import { CATALOG_FILE } from '../src/tools/catalog.js';
import { buildBundledCatalog, serializeCatalog } from '../src/tools/catalog-source.js';

const root = packageRoot();
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(root, 'dist') } } });
const outdir = values.outdir;

/** Writes the catalog only when it changed, so an unchanged build leaves the source tree untouched. */
async function writeCatalog(): Promise<void> {
  writeGeneratedFile(join(root, CATALOG_FILE), serializeCatalog(await buildBundledCatalog()));
}

/**
 * Declares the project's own modules free of import-time side effects, so esbuild leaves out every
 * module none of whose exports the server uses, with the libraries only it imports. Without this, a
 * barrel (`src/openapi/index.ts`) imported for `packageRoot` alone would pull the YAML parser and the
 * schema converter, which only the build and `openapi:check` use, into the server's bundle.
 */
const ownModulesWithoutSideEffects: Plugin = {
  name: 'own-modules-without-side-effects',
  setup(plugin) {
    const sources = join(root, 'src');
    plugin.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === ownModulesWithoutSideEffects || !args.importer.startsWith(sources)) return undefined;
      const { path, errors, warnings } = await plugin.resolve(args.path, {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: ownModulesWithoutSideEffects,
      });
      return { path, errors, warnings, sideEffects: false };
    });
  },
};

const common: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  // Class and function names stay readable in logs and stack traces.
  keepNames: true,
  sourcemap: 'linked',
  plugins: [ownModulesWithoutSideEffects],
  logLevel: 'warning',
};

await writeCatalog();
// The MCP Apps views (src/apps/view/) into src/apps/views.generated.json, which the server bundle imports.
const viewSizes = await buildViews();
console.log(
  `views: ${Object.entries(viewSizes)
    .map(([id, bytes]) => `${id} ${(bytes / 1024).toFixed(1)} KB`)
    .join(', ')}`,
);
rmSync(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { 'src/server': 'src/main.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // CommonJS has no import.meta: the bundle's own URL stands in for it (packageRoot() walks up from it).
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // import() becomes require(): code compiled by node:vm cannot import(), and what is loaded on demand
  // (OpenTelemetry, ioredis, the legacy SSE transport) is bundled, only evaluated when first used.
  supported: { 'dynamic-import': false },
});
await build({ ...common, entryPoints: { 'src/main': 'src/launch.ts' }, outdir, format: 'esm' });
await build({
  ...common,
  entryPoints: { 'src/cli/main': 'src/cli/main.ts' },
  outdir,
  chunkNames: 'src/cli/chunks/[name]-[hash]',
  format: 'esm',
  splitting: true,
  // Bundled CommonJS dependencies call require() for Node's built-in modules; an ES module has none.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
// A separate plain `node`, so the cache matches what `npm start` runs (same Node, no tsx).
const launcher = pathToFileURL(join(outdir, 'src/main.js')).href;
const cacheBytes = execFileSync(
  process.execPath,
  ['--input-type=module', '-e', `console.log((await import(${JSON.stringify(launcher)})).writeCodeCache())`],
  { encoding: 'utf8' },
).trim();
console.log(
  `built ${relative(root, outdir) || '.'}/src: main.js (launcher), server.cjs (+ ${Math.round(Number(cacheBytes) / 1024)} KB code cache), cli/main.js; ${CATALOG_FILE} is current`,
);
