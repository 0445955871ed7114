import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, serve, testContext } from '../../../test/helpers/doctor-context.js';
import { checkDiscoverThenInitialize } from './transports.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/**
 * An MCP endpoint that answers server/discover with a result and then `initialize` as `afterDiscover`
 * says: with a result, or refused the way a server that keeps era state per URL refuses it.
 */
async function endpoint(afterDiscover: 'answer' | 'refuse', clients: string[]) {
  let discovered = false;
  const server = await serve((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const message = JSON.parse(body) as { id: string; method: string };
      if (message.method === 'server/discover') {
        discovered = true;
        sendJson(res, 200, { jsonrpc: '2.0', id: message.id, result: { supportedVersions: ['2026-07-28'] } });
      } else if (discovered && afterDiscover === 'refuse') {
        sendJson(res, 400, { jsonrpc: '2.0', id: message.id, error: { code: -32600, message: 'already discovered' } });
      } else {
        sendJson(res, 200, { jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-11-25' } });
      }
    });
  });
  close = server.close;
  const ctx = testContext(`${server.url}/mcp`, clients);
  return (await checkDiscoverThenInitialize({ ...ctx, token: 'test-token' }))[0]!;
}

describe('checkDiscoverThenInitialize', () => {
  it('passes when the initialize after a discover is answered', async () => {
    expect(await endpoint('answer', ['claude-code'])).toMatchObject({
      status: 'pass',
      detail: 'discover answered with a result; the initialize after it negotiated 2025-11-25.',
    });
  });

  it('fails for Claude Code when the initialize after a discover is refused, and says which client sends both', async () => {
    const result = await endpoint('refuse', ['claude-code']);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('the initialize after it got HTTP 400');
    expect(result.fix).toContain('Claude Code send both');
    expect(result.curl).not.toContain('test-token');
  });

  it('only warns for clients that never send initialize after a discover', async () => {
    expect((await endpoint('refuse', ['chatgpt'])).status).toBe('warn');
  });
});
