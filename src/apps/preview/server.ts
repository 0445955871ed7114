/**
 * The views' preview: a local page per example that renders a view with real data, through the
 * extension's host side (host-page.ts) talking to a running bridge. `npm run demo` starts it, and the
 * browser test renders each view through it. A development tool: it bundles the host page with esbuild
 * on first use and embeds the token it is given in the pages it serves, so it listens on loopback only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundleForBrowser } from '../build-views.js';
import type { PreviewConfig } from './host-page.js';

/** One tool call to show in its view. */
export interface PreviewExample {
  id: string;
  title: string;
  tool: string;
  args: Record<string, unknown>;
  /** HTML rendered in place of the tool's view, under the view's CSP (the CSP test's probe). */
  html?: string;
}

export interface PreviewOptions {
  /** The bridge's base URL, as the browser reaches it. */
  bridgeUrl: string;
  /** The bearer token the page's MCP client sends. */
  token: string;
  examples: readonly PreviewExample[];
  /** Default 0 (any free port). */
  port?: number;
}

export interface Preview {
  /** `http://127.0.0.1:<port>`: the index; `/view/<id>?theme=light|dark` renders one example. */
  url: string;
  close(): Promise<void>;
}

let hostScript: Promise<string> | undefined;

/** The host page's script, bundled for the browser once per process. */
function bundleHostPage(): Promise<string> {
  hostScript ??= bundleForBrowser('src/apps/preview/host-page.ts');
  return hostScript;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

const PAGE_STYLE =
  'body{font:14px system-ui,sans-serif;margin:24px;background:#eef0f3;color:#1b1f24}' +
  ':root[data-theme=dark] body{background:#0d0f12;color:#e8eaed}' +
  'iframe{width:100%;max-width:1000px;border:1px solid #8884;border-radius:8px;display:block;height:200px;background:transparent}';

function hostPage(config: PreviewConfig, title: string): string {
  // `<` escaped so that no string in the config can close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<style>${PAGE_STYLE}</style></head><body><h1>${escapeHtml(title)}</h1><div id="view"></div>` +
    `<script type="application/json" id="preview-config">${json}</script>` +
    `<script type="module" src="/host.js"></script></body></html>`
  );
}

function indexPage(examples: readonly PreviewExample[]): string {
  const items = examples
    .map(
      (e) =>
        `<li>${escapeHtml(e.title)} (<code>${escapeHtml(e.tool)}</code>): ` +
        `<a href="/view/${encodeURIComponent(e.id)}?theme=light">light</a> · ` +
        `<a href="/view/${encodeURIComponent(e.id)}?theme=dark">dark</a></li>`,
    )
    .join('');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NeonPanel views</title>` +
    `<style>${PAGE_STYLE}</style></head><body><h1>NeonPanel MCP Apps views</h1>` +
    `<p>Each link renders a view as an MCP Apps host would, with the sandbox's data.</p><ul>${items}</ul></body></html>`
  );
}

/** Starts the preview on 127.0.0.1. */
export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const byId = new Map(options.examples.map((example) => [example.id, example]));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://preview.local');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'GET only');
    if (url.pathname === '/') return send(200, 'text/html', indexPage(options.examples));
    if (url.pathname === '/host.js') {
      bundleHostPage().then(
        (script) => send(200, 'text/javascript', script),
        (error: Error) => send(500, 'text/plain', `cannot bundle the host page: ${error.message}`),
      );
      return;
    }
    const example = url.pathname.startsWith('/view/') ? byId.get(decodeURIComponent(url.pathname.slice(6))) : undefined;
    if (!example) return send(404, 'text/plain', `no such page; the examples are at /`);
    const theme = url.searchParams.get('theme') === 'dark' ? 'dark' : 'light';
    const config: PreviewConfig = {
      bridgeUrl: options.bridgeUrl,
      token: options.token,
      tool: example.tool,
      args: example.args,
      theme,
      ...(example.html ? { html: example.html } : {}),
    };
    return send(200, 'text/html', hostPage(config, example.title));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
