import { describe, expect, it } from 'vitest';
import { renderStatusPage, selfChecks } from './status-page.js';

const info = {
  name: 'neonpanel-mcp',
  version: '1.0.0',
  description: 'NeonPanel MCP Server',
  publicUrl: 'https://mcp.example.com',
  issuer: 'https://my.example.com',
  legacySse: true,
};

const healthy = {
  status: 'ok',
  jwks: { status: 'ok', keysFound: 2, lastFetchAt: '2026-11-25T08:00:00.000Z' },
  issuerMetadata: { source: 'live', lastFetchAt: '2026-11-25T08:00:00.000Z' },
  upstream: { status: 'ok', latencyMs: 12 },
  store: { kind: 'memory', status: 'ok' },
};

describe('selfChecks', () => {
  it('reads the four self-checks of deep health', () => {
    expect(selfChecks(healthy).map((c) => [c.name, c.state])).toEqual([
      ['Issuer metadata', 'ok'],
      ['Signing keys (JWKS)', 'ok'],
      ['NeonPanel API', 'ok'],
      ['State store', 'ok'],
    ]);
  });

  it('reports outages with their reason', () => {
    const checks = selfChecks({
      jwks: { status: 'down', keysFound: 0, lastError: 'JWKS answered 503' },
      issuerMetadata: { source: 'fallback', lastError: 'connection refused' },
      upstream: { status: 'down', detail: 'NeonPanel API unreachable' },
    });
    expect(checks.map((c) => c.state)).toEqual(['down', 'down', 'down', 'unknown']);
    expect(checks[1]!.summary).toContain('JWKS answered 503');
    expect(checks[2]!.summary).toBe('NeonPanel API unreachable');
  });
});

describe('renderStatusPage', () => {
  it('shows the URL to paste, the steps per client and the doctor command', () => {
    const html = renderStatusPage(info, healthy);
    expect(html).toContain('<pre class="url" id="mcp-url">https://mcp.example.com/mcp</pre>');
    expect(html).toContain('id="steps-chatgpt"');
    expect(html).toContain('id="steps-claude"');
    expect(html).toContain('npx neonpanel-mcp doctor https://mcp.example.com/mcp');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });

  it("shows ChatGPT's current steps: Security and login → Developer mode, then the Plugins page and +", () => {
    const html = renderStatusPage(info, healthy);
    const chatgpt = html.slice(html.indexOf('id="steps-chatgpt"'), html.indexOf('id="steps-claude"'));
    expect(chatgpt).toContain('<b>Settings → Security and login</b> and turn on <b>Developer mode</b>');
    expect(chatgpt).toContain('Open the <b>Plugins</b> page and choose <b>+</b>');
    expect(chatgpt).not.toContain('Apps &amp; Connectors');
    expect(html).toContain('<code>--login</code>');
  });

  it('escapes everything it prints', () => {
    const html = renderStatusPage(
      { ...info, description: '<img src=x onerror=alert(1)>' },
      {
        upstream: { status: 'down', detail: '"><script>x</script>' },
      },
    );
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&lt;script&gt;');
  });
});
