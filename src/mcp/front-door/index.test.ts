import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  EXPRESS_STATUS,
  loggedLines,
  serveFrontDoor,
  serversClosedAfterEach,
} from '../../../test/helpers/gate-stand-in.js';
import type { McpPath } from '../routes.js';
import { type McpEntrance, mcpPathOf } from './index.js';

const running = serversClosedAfterEach();

describe('mcpPathOf', () => {
  it('names the MCP path of a target as express matched its routes: any case, one trailing slash', () => {
    const cases: Array<[string, McpPath]> = [
      ['/mcp', '/mcp'],
      ['/MCP', '/mcp'],
      ['/mcp/', '/mcp'],
      ['/Mcp/ReadOnly/', '/mcp/readonly'],
      ['/mcp/readonly', '/mcp/readonly'],
      ['/sse', '/sse'],
      ['/SSE/', '/sse'],
      ['/messages', '/messages'],
      ['/Messages', '/messages'],
    ];
    for (const [target, path] of cases) expect(mcpPathOf(target), target).toEqual({ path, query: '' });
  });

  it('splits the query off, keeping it as sent', () => {
    expect(mcpPathOf('/messages?sessionId=abc%20d&x=1')).toEqual({ path: '/messages', query: 'sessionId=abc%20d&x=1' });
    expect(mcpPathOf('/mcp/?toolsets=orders')).toEqual({ path: '/mcp', query: 'toolsets=orders' });
    expect(mcpPathOf('/mcp?')).toEqual({ path: '/mcp', query: '' });
    expect(mcpPathOf('/mcp?next=/sse?x')).toEqual({ path: '/mcp', query: 'next=/sse?x' });
  });

  it('reads a target in absolute form as its path and query', () => {
    expect(mcpPathOf('http://127.0.0.1:3000/mcp?toolsets=orders')).toEqual({ path: '/mcp', query: 'toolsets=orders' });
    expect(mcpPathOf('https://mcp.example.com/messages')).toEqual({ path: '/messages', query: '' });
    expect(mcpPathOf('http://127.0.0.1:3000/health')).toBeUndefined();
  });

  it('names no MCP path for any other target', () => {
    for (const target of [
      '',
      '/',
      '/health',
      '/mcpx',
      '/mcp//',
      '/mcp/other',
      '/mcp/readonly/x',
      '/sse/x',
      '/messages/1',
      '/.well-known/oauth-protected-resource/mcp',
      '/x/mcp',
      '/health?next=/mcp',
      'mcp',
    ]) {
      expect(mcpPathOf(target), target).toBeUndefined();
    }
  });
});

/** A GET with node:http, which sends the request target exactly as given; resolves with status and body. */
function get(url: string, target: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(`${url}${target}`, { method: 'GET' });
    sent.once('error', reject);
    sent.once('response', async (answer) => {
      let text = '';
      for await (const chunk of answer) text += String(chunk);
      resolve({ status: answer.statusCode ?? 0, text });
    });
    sent.end();
  });
}

describe('the front door', () => {
  it('hands the MCP paths to the entrance with their query, and everything else to express', async () => {
    const seen: Array<{ path: McpPath; query: string; url: string | undefined }> = [];
    const entrance: McpEntrance = async (path, query, req, res) => {
      seen.push({ path, query, url: req.url });
      res.writeHead(200).end('entrance');
    };
    const url = await serveFrontDoor(running, entrance);
    expect(await get(url, '/MCP/?toolsets=orders')).toEqual({ status: 200, text: 'entrance' });
    expect(await get(url, '/messages?sessionId=a')).toEqual({ status: 200, text: 'entrance' });
    expect(await get(url, '/health')).toEqual({ status: EXPRESS_STATUS, text: 'express: GET /health' });
    expect(await get(url, '/mcp/other?x=1')).toEqual({ status: EXPRESS_STATUS, text: 'express: GET /mcp/other?x=1' });
    expect(seen).toEqual([
      { path: '/mcp', query: 'toolsets=orders', url: '/MCP/?toolsets=orders' },
      { path: '/messages', query: 'sessionId=a', url: '/messages?sessionId=a' },
    ]);
  });

  it('closes the connection and logs the error when the entrance fails, instead of leaving the client waiting', async () => {
    const { logger, lines } = loggedLines();
    const entrance: McpEntrance = async () => {
      throw new Error('a bug in the entrance');
    };
    const url = await serveFrontDoor(running, entrance, logger);
    await expect(get(url, '/sse?x=1')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'MCP request failed',
        method: 'GET',
        path: '/sse',
        err: expect.objectContaining({ message: 'a bug in the entrance' }),
      }),
    );
    // The connection, not the server: the next request is served.
    expect((await get(url, '/health')).status).toBe(EXPRESS_STATUS);
  });
});
