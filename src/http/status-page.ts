/**
 * The HTML status page served at `GET /` to browsers: what the server is, the live self-checks
 * (the same data as `/healthz?deep=1`), the URL to paste into ChatGPT and Claude with the steps for
 * each, and the doctor command. Self-contained (inline CSS, no scripts, no external assets) and
 * built only from public information: no token is needed and nothing secret is shown.
 */
import { ICON_SVG } from './icons.js';

/** The parts of the server-info document the page shows. */
export interface StatusPageInfo {
  name: string;
  version: string;
  description: string;
  /** `MCP_PUBLIC_URL`, no trailing slash. */
  publicUrl: string;
  issuer: string;
  legacySse: boolean;
  documentation?: string;
}

/** The `/healthz?deep=1` document, as far as the page reads it (every part optional). */
export interface DeepHealth {
  status?: string;
  uptimeSeconds?: number;
  timestamp?: string;
  jwks?: { status?: string; keysFound?: number; lastFetchAt?: string | null; lastError?: string };
  issuerMetadata?: { source?: string; lastFetchAt?: string | null; lastError?: string };
  upstream?: { status?: string; latencyMs?: number; detail?: string };
  store?: { kind?: string; status?: string; detail?: string };
  openapi?: { title?: string; version?: string; operations?: number };
  sse?: { activeConnections?: number };
  sessions?: { active?: number };
}

export type SelfCheckState = 'ok' | 'warn' | 'down' | 'unknown';

export interface SelfCheck {
  name: string;
  state: SelfCheckState;
  summary: string;
}

/** Turns deep health into the four self-checks the page lists, in the order a request needs them. */
export function selfChecks(health: DeepHealth): SelfCheck[] {
  const meta = health.issuerMetadata;
  const jwks = health.jwks;
  const upstream = health.upstream;
  const store = health.store;
  const fetched = (at: string | null | undefined) => (at ? `, fetched ${at}` : '');
  return [
    {
      name: 'Issuer metadata',
      state: !meta ? 'unknown' : meta.source === 'live' ? 'ok' : meta.source === 'cached' ? 'warn' : 'down',
      summary: !meta
        ? 'not reported'
        : meta.source === 'live'
          ? `live from the issuer${fetched(meta.lastFetchAt)}`
          : `${meta.source === 'cached' ? 'last good copy' : 'built from configuration'}; issuer unreachable${meta.lastError ? ` (${meta.lastError})` : ''}`,
    },
    {
      name: 'Signing keys (JWKS)',
      state: !jwks ? 'unknown' : jwks.status === 'ok' ? 'ok' : jwks.status === 'stale' ? 'warn' : 'down',
      summary: !jwks
        ? 'not reported'
        : `${jwks.status}: ${jwks.keysFound ?? 0} key(s)${fetched(jwks.lastFetchAt)}${jwks.lastError ? ` (${jwks.lastError})` : ''}`,
    },
    {
      name: 'NeonPanel API',
      state: !upstream ? 'unknown' : upstream.status === 'ok' ? 'ok' : 'down',
      summary: !upstream
        ? 'not reported'
        : upstream.status === 'ok'
          ? `reachable${upstream.latencyMs !== undefined ? ` in ${upstream.latencyMs} ms` : ''}`
          : (upstream.detail ?? 'unreachable'),
    },
    {
      name: 'State store',
      state: !store ? 'unknown' : store.status === 'ok' ? 'ok' : 'warn',
      summary: !store
        ? 'not reported'
        : `${store.kind ?? 'store'}: ${store.status}${store.detail ? ` (${store.detail})` : ''}`,
    },
  ];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STATE_LABEL: Record<SelfCheckState, string> = { ok: 'OK', warn: 'Degraded', down: 'Down', unknown: 'Unknown' };

const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#5b6570;--line:#dde1e6;--ok:#1a7f37;--warn:#9a6700;--down:#cf222e;--accent:#0b57d0}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--card:#171b21;--text:#e6e9ed;--muted:#9aa4ae;--line:#2a3038;--ok:#3fb950;--warn:#d29922;--down:#f85149;--accent:#7aa7ff}}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--text)}
main{max-width:920px;margin:0 auto;padding:32px 20px 48px}
header h1{margin:0;font-size:26px;display:flex;align-items:center;gap:10px}.logo svg{width:36px;height:36px;display:block}header p{margin:4px 0 0;color:var(--muted)}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:13px;font-weight:600;border:1px solid currentColor;vertical-align:middle;margin-left:8px}
.ok{color:var(--ok)}.warn,.unknown{color:var(--warn)}.down{color:var(--down)}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-top:20px}
h2{margin:0 0 12px;font-size:18px}
table{width:100%;border-collapse:collapse}td{padding:8px 6px;border-top:1px solid var(--line);vertical-align:top}tr:first-child td{border-top:0}
td.state{width:110px;font-weight:600}td.name{width:190px}
code,pre{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px 12px;overflow-x:auto;margin:8px 0;white-space:pre-wrap;word-break:break-all}
.url{font-size:16px;font-weight:600;color:var(--accent)}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:18px}@media (max-width:720px){.cols{grid-template-columns:1fr}}
h3{margin:4px 0 6px;font-size:16px}.cols+h3{margin-top:18px}ol{margin:0;padding-left:20px}li{margin:3px 0}
.muted{color:var(--muted)}footer{margin-top:20px;color:var(--muted);font-size:13px}a{color:var(--accent)}
`;

function checksTable(checks: SelfCheck[]): string {
  const rows = checks
    .map(
      (c) =>
        `<tr data-check="${escapeHtml(c.name)}"><td class="state ${c.state}">${c.state === 'ok' ? '✓' : c.state === 'down' ? '✗' : '⚠'} ${STATE_LABEL[c.state]}</td><td class="name">${escapeHtml(c.name)}</td><td>${escapeHtml(c.summary)}</td></tr>`,
    )
    .join('');
  return `<table>${rows}</table>`;
}

function overall(checks: SelfCheck[]): SelfCheckState {
  if (checks.some((c) => c.state === 'down')) return 'down';
  if (checks.some((c) => c.state !== 'ok')) return 'warn';
  return 'ok';
}

/** Renders the whole page. Every value is escaped. */
export function renderStatusPage(info: StatusPageInfo, health: DeepHealth): string {
  const checks = selfChecks(health);
  const state = overall(checks);
  const mcpUrl = `${info.publicUrl}/mcp`;
  const e = escapeHtml;
  const tools =
    health.openapi?.operations !== undefined
      ? `${health.openapi.operations} NeonPanel API operations`
      : 'the NeonPanel API';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(info.name)} — status</title><style>${CSS}</style></head>
<body><main>
<header><h1><span class="logo" aria-hidden="true">${ICON_SVG}</span>NeonPanel MCP server <span class="badge ${state}" id="overall">${STATE_LABEL[state]}</span></h1>
<p>${e(info.description)}. Version ${e(info.version)}. It lets ChatGPT, Claude and other MCP clients use ${e(tools)} with the signed-in user's own NeonPanel access; sign-in happens at <a href="${e(info.issuer)}">${e(info.issuer)}</a>.</p></header>

<section id="checks"><h2>Live self-checks</h2>
${checksTable(checks)}
<p class="muted">The same data as <a href="/healthz?deep=1">/healthz?deep=1</a>${health.timestamp ? `, taken ${e(health.timestamp)}` : ''}.</p></section>

<section id="connect"><h2>Connect</h2>
<p>Paste this URL into your client:</p><pre class="url" id="mcp-url">${e(mcpUrl)}</pre>
<div class="cols">
<div id="steps-chatgpt"><h3>ChatGPT</h3><ol>
<li>Open <b>Settings → Security and login</b> and turn on <b>Developer mode</b>.</li>
<li>Open the <b>Plugins</b> page and choose <b>+</b>.</li>
<li>Name it <b>NeonPanel</b>, paste the URL above as the <b>MCP server URL</b>, choose <b>OAuth</b> authentication and create the plugin.</li>
<li>Sign in to NeonPanel and approve access; ChatGPT lists the NeonPanel tools.</li>
<li>In a chat, pick NeonPanel from the <b>+</b> menu.</li></ol></div>
<div id="steps-claude"><h3>Claude (claude.ai, Desktop, mobile)</h3><ol>
<li>Open <b>Settings → Connectors</b> and choose <b>Add custom connector</b>.</li>
<li>Name it <b>NeonPanel</b>, paste the URL above and choose <b>Add</b>.</li>
<li>Choose <b>Connect</b>, sign in to NeonPanel and approve access.</li>
<li>In a chat, enable NeonPanel in the <b>Search and tools</b> menu.</li></ol>
<p class="muted">Claude Desktop adds remote servers here too, not in <code>claude_desktop_config.json</code>.</p></div>
</div>
<h3>Claude Code, Cursor, VS Code and others</h3>
<pre>claude mcp add --transport http neonpanel ${e(mcpUrl)}</pre>
<p class="muted">Any client that speaks Streamable HTTP takes the URL above${info.legacySse ? `; clients that only speak the older HTTP+SSE transport use <code>${e(info.publicUrl)}/sse</code>` : ''}. Each signs in through NeonPanel the first time.</p></section>

<section id="doctor"><h2>Something not working?</h2>
<p>Run the connection doctor from any machine; it checks this server the way each client does and prints the fix for anything wrong:</p>
<pre>npx neonpanel-mcp doctor ${e(mcpUrl)}</pre>
<p>Add <code>--login</code> to sign in as a client would and try the tools on every transport, <code>--token &lt;access token&gt;</code> to check a token you have, <code>--client chatgpt</code> (or claude, claude-code, cursor, vscode, mcp-remote) to judge for one client, and <code>--register</code> to try a real client registration at the issuer.</p></section>

<footer>${e(info.name)} ${e(info.version)}${health.uptimeSeconds !== undefined ? ` · up ${Math.round(health.uptimeSeconds / 60)} min` : ''}${info.documentation ? ` · <a href="${e(info.documentation)}">documentation</a>` : ''} · <a href="/healthz?deep=1">health JSON</a> · <a href="/.well-known/oauth-protected-resource/mcp">OAuth metadata</a></footer>
</main></body></html>`;
}

/** The page's facts from the server-info document and configuration (all public). */
export function statusPageInfo(
  serverInfo: { name: string; version: string; description: string; documentation?: string },
  config: { publicUrl: string; issuer: string; legacySse: boolean },
): StatusPageInfo {
  return {
    name: serverInfo.name,
    version: serverInfo.version,
    description: serverInfo.description,
    documentation: serverInfo.documentation,
    publicUrl: config.publicUrl,
    issuer: config.issuer,
    legacySse: config.legacySse,
  };
}
