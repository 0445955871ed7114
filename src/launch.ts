/**
 * The production entry point (`npm start` runs its build, dist/src/main.js): runs the bundled server
 * (dist/src/server.cjs) from the V8 code cache that `npm run build` writes beside it. Node 20 has no
 * module compile cache (Node 22's `module.enableCompileCache`), and parsing and compiling the bundle
 * is about a third of the start-up time; with the cache V8 reuses the code it compiled at build time.
 * A cache that does not fit the running Node (another version or V8 flags) is refused by V8, and the
 * bundle is compiled from source as usual: slower, never wrong.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));

/** The server bundle (CommonJS, so that V8 can compile it as a script with a code cache). */
export const SERVER_BUNDLE = join(here, 'server.cjs');
/** V8's compiled code for the bundle, written at build time by `writeCodeCache`. */
export const CODE_CACHE = `${SERVER_BUNDLE}.v8cache`;

/** What the server bundle exports (src/main.ts). */
interface ServerModule {
  runAsProgram(): void;
}

/**
 * Compiles and evaluates the bundle the way Node's CommonJS loader would, with `cachedData` when given.
 * The wrapper's first line is outside the bundle: `lineOffset` keeps stack traces on the bundle's lines.
 */
function loadServer(cachedData: Buffer | undefined): { server: ServerModule; script: Script } {
  const source = readFileSync(SERVER_BUNDLE, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: SERVER_BUNDLE,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as ServerModule };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(SERVER_BUNDLE), module, SERVER_BUNDLE, dirname(SERVER_BUNDLE));
  return { server: module.exports, script };
}

/**
 * Build step: compiles the bundle and evaluates its modules (nothing is started), then writes what V8
 * compiled by then. Returns the cache's size in bytes.
 */
export function writeCodeCache(): number {
  const data = loadServer(undefined).script.createCachedData();
  writeFileSync(CODE_CACHE, data);
  return data.length;
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  loadServer(existsSync(CODE_CACHE) ? readFileSync(CODE_CACHE) : undefined).server.runAsProgram();
}
