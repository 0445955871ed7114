/**
 * The bridge's identity as every client sees it: `serverInfo` (title, websiteUrl, icons the bridge serves)
 * on Streamable HTTP 2025-11-25, legacy SSE and 2026-07-28 `server/discover`; the same in `GET /`; the
 * icons themselves; and ChatGPT's domain verification token, served only when configured.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SseTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1StreamableTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { useStack } from '../../helpers/use-stack.js';

const CHALLENGE = 'oai-apps-challenge-0123456789abcdef';
const PUBLIC_URL = 'https://mcp.neonpanel.com';
const using = useStack('alice', {
  logLevel: 'warn',
  env: { MCP_OPENAI_APPS_CHALLENGE: CHALLENGE, MCP_PUBLIC_URL: PUBLIC_URL },
});

/** What every era must say about the server. */
const IDENTITY = {
  name: 'neonpanel-mcp',
  title: 'NeonPanel',
  websiteUrl: 'https://neonpanel.com',
  icons: [
    { src: `${PUBLIC_URL}/icon.svg`, mimeType: 'image/svg+xml', sizes: ['any'] },
    { src: `${PUBLIC_URL}/icon.png`, mimeType: 'image/png', sizes: ['64x64'] },
  ],
};

const auth = () => ({ Authorization: `Bearer ${using.token}` });
/** The bridge listens on loopback; its public URL is another host, so requests name that host. */
const url = (path: string) => new URL(path, using.stack.url);

describe('serverInfo on every transport and era', () => {
  it('Streamable HTTP 2025-11-25 initialize', async () => {
    const client = new V1Client({ name: 'identity', version: '1' });
    await client.connect(new V1StreamableTransport(url('/mcp'), { requestInit: { headers: auth() } }));
    expect(client.getServerVersion()).toMatchObject(IDENTITY);
    await client.close();
  });

  it('legacy HTTP+SSE initialize', async () => {
    const client = new V1Client({ name: 'identity', version: '1' });
    await client.connect(
      new V1SseTransport(url('/sse'), {
        requestInit: { headers: auth() },
        eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, ...auth() } }) },
      }),
    );
    expect(client.getServerVersion()).toMatchObject(IDENTITY);
    await client.close();
  });

  it('2026-07-28 server/discover', async () => {
    const client = new Client(
      { name: 'identity', version: '1' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new StreamableHTTPClientTransport(url('/mcp'), { requestInit: { headers: auth() } }));
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getServerVersion()).toMatchObject(IDENTITY);
    await client.close();
  });

  it('GET / carries the same title, websiteUrl and icons', async () => {
    const res = await fetch(url('/'), { headers: { Accept: 'application/json' } });
    expect(await res.json()).toMatchObject(IDENTITY);
  });
});

describe('the icons the bridge serves', () => {
  it('GET /icon.svg is an SVG document, cacheable, without a token', async () => {
    const res = await fetch(url('/icon.svg'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/svg+xml');
    expect(res.headers.get('cache-control')).toContain('max-age=');
    expect(await res.text()).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 64 64"[^>]*>.*<\/svg>$/s,
    );
  });

  it('GET /icon.png is a 64×64 RGBA PNG whose pixel data inflates to its size', async () => {
    const res = await fetch(url('/icon.png'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([64, 64, 8, 6]);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const pixels = inflateSync(png.subarray(41, 41 + idatLength));
    expect(pixels.length).toBe(64 * (64 * 4 + 1));
    // The corners are transparent (rounded square) and the centre is opaque.
    expect(pixels[1 + 3]).toBe(0);
    expect(pixels[32 * 257 + 1 + 32 * 4 + 3]).toBe(255);
  });
});

describe('/.well-known/openai-apps-challenge', () => {
  it('serves MCP_OPENAI_APPS_CHALLENGE as text/plain', async () => {
    const res = await fetch(url('/.well-known/openai-apps-challenge'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(CHALLENGE);
  });

  it('answers 404 (JSON, like any unknown route) when the variable is unset', async () => {
    const bridge = await using.stack.startInstance({ MCP_OPENAI_APPS_CHALLENGE: '' });
    const res = await fetch(new URL('/.well-known/openai-apps-challenge', bridge.url));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('refuses a value that cannot be the token, naming the variable', () => {
    expect(() => loadConfig({ MCP_OPENAI_APPS_CHALLENGE: 'two words' })).toThrow(ConfigError);
    expect(() => loadConfig({ MCP_OPENAI_APPS_CHALLENGE: 'two words' })).toThrow(/^MCP_OPENAI_APPS_CHALLENGE must be/);
  });
});
