import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../openapi/package-root.js';
import { renderViews } from './build-views.js';
import { APP_VIEWS, createAppsSurface, VIEW_MIME_TYPE, VIEWS_FILE } from './index.js';

/** The size budget of one view (issue 27). */
const MAX_VIEW_BYTES = 150 * 1024;

describe('the views bundle', () => {
  // esbuild bundles every view: done once for both checks.
  let rendered: ReturnType<typeof renderViews> | undefined;
  const views = () => (rendered ??= renderViews());

  it(`${VIEWS_FILE} is what the view sources build to`, async () => {
    const committed = JSON.parse(readFileSync(join(packageRoot(), VIEWS_FILE), 'utf8')) as Record<string, string>;
    expect(committed, `${VIEWS_FILE} is stale: run \`npm run build\``).toEqual(await views());
  }, 30_000);

  it('each view is one self-contained page within the size budget, with no URL to load', async () => {
    const pages = await views();
    for (const view of APP_VIEWS) {
      const html = pages[view.id];
      expect(Buffer.byteLength(html), view.id).toBeLessThanOrEqual(MAX_VIEW_BYTES);
      expect(html).toMatch(/^<!doctype html>/);
      expect(html, `${view.id} loads a script or stylesheet from somewhere`).not.toMatch(
        /<(script|link)[^>]+(src|href)=/i,
      );
      expect(html).toContain("connect-src 'none'");
    }
  }, 30_000);
});

describe('createAppsSurface', () => {
  const all = APP_VIEWS.flatMap((view) => view.tools);

  it('lists a ui:// resource per view, with an explicit CSP that allows no origin', () => {
    const surface = createAppsSurface(all);
    expect(surface.resources.map((r) => r.uri)).toEqual(APP_VIEWS.map((view) => view.uri));
    for (const resource of surface.resources) {
      expect(resource.uri).toMatch(/^ui:\/\//);
      expect(resource.mimeType).toBe(VIEW_MIME_TYPE);
      expect(resource._meta.ui.csp).toEqual({ connectDomains: [], resourceDomains: [] });
    }
  });

  it('reads each view as its HTML, and nothing for another URI', () => {
    const surface = createAppsSurface(all);
    const read = surface.read('ui://neonpanel/stock.html');
    expect(read?.contents[0]?.text).toContain('<main id="app">');
    expect(read?.contents[0]?.mimeType).toBe(VIEW_MIME_TYPE);
    expect(surface.read('ui://neonpanel/other.html')).toBeUndefined();
  });

  it("links a tool to its view in both hosts' keys and keeps its own _meta", () => {
    const surface = createAppsSurface(all);
    const own = { securitySchemes: [{ type: 'oauth2' }] };
    expect(surface.toolMeta('get_bill', own)).toEqual({
      ...own,
      ui: { resourceUri: 'ui://neonpanel/document.html' },
      'ui/resourceUri': 'ui://neonpanel/document.html',
      'openai/outputTemplate': 'ui://neonpanel/document.html',
      'openai/widgetAccessible': true,
    });
    expect(surface.toolMeta('list_companies', own)).toBe(own);
  });

  it('leaves out a view none of whose tools the deployment serves', () => {
    const surface = createAppsSurface(['revenue_and_cogs_summary', 'list_companies']);
    expect(surface.resources.map((r) => r.uri)).toEqual(['ui://neonpanel/revenue.html']);
    expect(surface.read('ui://neonpanel/document.html')).toBeUndefined();
    expect(surface.toolMeta('get_bill', undefined)).toBeUndefined();
  });
});
