import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseTarget, runDoctor } from './run.js';

/** A port that was free a moment ago: nothing listens there. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('parseTarget', () => {
  it('derives /mcp and /sse from an origin or an endpoint URL', () => {
    for (const input of [
      'https://mcp.example.com',
      'https://mcp.example.com/',
      'https://mcp.example.com/mcp',
      'https://mcp.example.com/sse',
    ]) {
      expect(parseTarget(input)).toMatchObject({
        origin: 'https://mcp.example.com',
        mcpUrl: 'https://mcp.example.com/mcp',
        sseUrl: 'https://mcp.example.com/sse',
      });
    }
  });

  it('explains a bad URL', () => {
    expect(() => parseTarget('mcp.example.com')).toThrow(/is not a URL; give the server's address/);
    expect(() => parseTarget('ftp://x')).toThrow(/must start with https:\/\//);
  });
});

describe('runDoctor with nothing listening', () => {
  it('fails once, clearly, and stops', async () => {
    const port = await deadPort();
    const report = await runDoctor({ url: `http://127.0.0.1:${port}/mcp`, token: 'a.b.c' });
    expect(report.ok).toBe(false);
    // The URL itself is judged first (loopback http: a local test deployment), then nothing answers.
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['server.tls', 'pass'],
      ['server.info', 'fail'],
    ]);
    expect(report.results[1]!.detail).toContain('connection refused');
    expect(report.results[1]!.fix).toMatch(/Start the bridge/);
  });
});
