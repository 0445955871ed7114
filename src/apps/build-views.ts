/**
 * Builds the views' HTML (used by scripts/build.ts and the test that keeps the generated file current):
 * each view's TypeScript bundled and minified by esbuild, inlined with the shared stylesheet into one
 * self-contained page. The result is committed as src/apps/views.generated.json, which the server imports,
 * so the bridge finds its views the same way from sources (tsx, tests) and from the dist/ bundle, and
 * the run time needs no bundler.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { writeGeneratedFile } from '../openapi/generated-file.js';
import { packageRoot } from '../openapi/package-root.js';
import { APP_VIEWS, type ViewId, VIEWS_FILE } from './views.js';

/**
 * The view's own policy, on top of whatever the host enforces from `_meta.ui.csp`: inline code only,
 * no network, no frames, so a view stays offline even in a host that sets no policy.
 */
const VIEW_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

/** One browser module (`entry`, from the package root) bundled and minified into a single script. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(packageRoot(), entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${entry}`);
  return file.text;
}

/** Every view's HTML, keyed by view id, in a stable order. */
export async function renderViews(): Promise<Record<ViewId, string>> {
  const css = readFileSync(join(packageRoot(), 'src/apps/view/style.css'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s*\n\s*/g, '');
  const pages = {} as Record<ViewId, string>;
  for (const view of APP_VIEWS) {
    // `</script` inside the code would end the element early.
    const js = (await bundleForBrowser(`src/apps/view/${view.id}.ts`)).replace(/<\/script/gi, '<\\/script');
    pages[view.id] =
      `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
      `<meta http-equiv="Content-Security-Policy" content="${VIEW_POLICY}">` +
      `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${view.title}</title>` +
      `<style>${css}</style></head><body><main id="app"></main><script type="module">${js}</script></body></html>`;
  }
  return pages;
}

/** Regenerates src/apps/views.generated.json, writing only when it changed; returns each view's size in bytes. */
export async function buildViews(): Promise<Record<ViewId, number>> {
  const pages = await renderViews();
  const path = join(packageRoot(), VIEWS_FILE);
  writeGeneratedFile(path, `${JSON.stringify(pages, null, 2)}\n`);
  return Object.fromEntries(Object.entries(pages).map(([id, html]) => [id, Buffer.byteLength(html)])) as Record<
    ViewId,
    number
  >;
}
