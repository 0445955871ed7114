/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/**
 * A minimal MCP Apps host, in the browser: connects to the bridge with the SDK client, reads the tool's
 * `ui://` view, renders it in a sandboxed iframe under the Content Security Policy its `_meta.ui.csp`
 * asks for, and drives it through the extension's own host side (`AppBridge`): tool input, tool result,
 * theme, size, and the view's tool calls forwarded to the bridge. What ChatGPT or Claude do, in small.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { AppBridge, getToolUiResourceUri, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';

/** What the preview server puts in the page (`#preview-config`). */
export interface PreviewConfig {
  bridgeUrl: string;
  token: string;
  tool: string;
  args: Record<string, unknown>;
  theme: 'light' | 'dark';
  /** Render this HTML instead of the tool's view (the CSP test's probe); the CSP still comes from the view. */
  html?: string;
}

interface CspDomains {
  connectDomains?: string[];
  resourceDomains?: string[];
  frameDomains?: string[];
}

/** The policy a host derives from `_meta.ui.csp` (MCP Apps: no listed domain, no network). */
function policyOf(csp: CspDomains | undefined): string {
  const list = (domains: string[] | undefined) => (domains && domains.length > 0 ? domains.join(' ') : "'none'");
  const resources = csp?.resourceDomains?.length ? ` ${csp.resourceDomains.join(' ')}` : '';
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline'${resources}`,
    `style-src 'unsafe-inline'${resources}`,
    `img-src data:${resources}`,
    `font-src${resources || " 'none'"}`,
    `connect-src ${list(csp?.connectDomains)}`,
    `frame-src ${list(csp?.frameDomains)}`,
  ].join('; ');
}

/** Puts the host's policy first in the page's head, so it applies before any of the view's code. */
function withPolicy(html: string, policy: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy.replace(/"/g, '&quot;')}">`;
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${meta}`) : `${meta}${html}`;
}

/** What the page reports for tests and for a person reading the console. */
interface PreviewState {
  status: 'loading' | 'rendered' | 'failed';
  error?: string;
  cspViolations: string[];
  toolCallsFromView: string[];
}

async function main(): Promise<void> {
  const config = JSON.parse(document.getElementById('preview-config')?.textContent ?? '{}') as PreviewConfig;
  const state: PreviewState = { status: 'loading', cspViolations: [], toolCallsFromView: [] };
  (window as unknown as { preview: PreviewState }).preview = state;
  document.documentElement.dataset['theme'] = config.theme;

  const client = new Client({ name: 'neonpanel-apps-preview', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', config.bridgeUrl), {
      requestInit: { headers: { Authorization: `Bearer ${config.token}` } },
    }),
  );
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === config.tool);
  if (!tool) throw new Error(`the bridge does not serve ${config.tool}`);
  const uri = getToolUiResourceUri(tool);
  if (!uri) throw new Error(`${config.tool} has no _meta.ui.resourceUri: the bridge serves no view for it`);
  const { contents } = await client.readResource({ uri });
  const page = contents[0] as { text?: string; _meta?: { ui?: { csp?: CspDomains } } } | undefined;
  if (!page?.text) throw new Error(`resources/read ${uri} returned no HTML`);

  const frame = document.createElement('iframe');
  // Scripts only: an opaque origin, no access to this page, its storage or the token.
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = `${config.tool} view`;
  document.getElementById('view')?.append(frame);
  const view = frame.contentWindow;
  if (!view) throw new Error('the view frame has no window');

  const bridge = new AppBridge(
    client,
    { name: 'neonpanel-apps-preview', version: '1.0.0' },
    { serverTools: {}, serverResources: {}, openLinks: {} },
    {
      hostContext: {
        theme: config.theme,
        displayMode: 'inline',
        availableDisplayModes: ['inline'],
        containerDimensions: { maxHeight: 900, maxWidth: 1000 },
        toolInfo: { tool },
        locale: 'en-US',
      },
    },
  );
  bridge.onsizechange = ({ height }) => {
    if (height) frame.style.height = `${height}px`;
  };
  bridge.oninitialized = async () => {
    await bridge.sendToolInput({ arguments: config.args });
    const result = await client.callTool({ name: config.tool, arguments: config.args });
    await bridge.sendToolResult(result as Parameters<AppBridge['sendToolResult']>[0]);
    state.status = 'rendered';
  };
  await bridge.connect(new PostMessageTransport(view, view));
  const html = withPolicy(config.html ?? page.text, policyOf(page._meta?.ui?.csp));
  // A view under `connect-src 'none'` reports its blocked requests to the host, as the test's probe does.
  window.addEventListener('message', (event) => {
    const data = event.data as { method?: string; params?: { name?: string; blocked?: string } };
    if (event.source !== view) return;
    if (data?.method === 'tools/call' && data.params?.name) state.toolCallsFromView.push(data.params.name);
    if (data?.method === 'probe/blocked' && data.params?.blocked) state.cspViolations.push(data.params.blocked);
  });
  frame.srcdoc = html;
}

main().catch((error: unknown) => {
  const state = (window as unknown as { preview?: PreviewState }).preview;
  const message = error instanceof Error ? error.message : String(error);
  if (state) Object.assign(state, { status: 'failed', error: message });
  document.getElementById('view')?.append(Object.assign(document.createElement('p'), { textContent: message }));
});
