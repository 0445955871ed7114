/**
 * The front door on a bridge bound as production binds it (HOST=0.0.0.0, requests arriving on
 * 127.0.0.1) with the per-IP limit on (issue 25, findings 1, 2 and 8):
 * - a malformed `Host` is answered as any other request, never 500 (the URL the SDK sees is built from
 *   MCP_PUBLIC_URL, not from `Host`);
 * - the access log writes bounded fields, whatever the client puts in `method`, `id` or the tool name;
 * - a flood of refused tokens counts against the per-IP limit like requests without a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postMcp } from '../helpers/mcp-post.js';
import { recordFigures } from './support/figures.js';
import { type RawResponse, sendRaw } from './support/raw-http.js';
import { type Stack, startStack } from './support/stack.js';

const PER_IP = 5;
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'front-door', version: '1' } },
};

/** One POST /mcp over a raw socket, so `Host` can be anything; `Connection: close` ends the exchange. */
async function rawPost(
  origin: string,
  host: string,
  headers: Record<string, string>,
  body: string,
): Promise<RawResponse> {
  const head = [
    'POST /mcp HTTP/1.1',
    `Host: ${host}`,
    'Content-Type: application/json',
    'Accept: application/json, text/event-stream',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  const outcome = await sendRaw(origin, `${head.join('\r\n')}\r\n\r\n${body}`, { timeoutMs: 15_000 });
  if (outcome.kind !== 'response') throw new Error(`POST /mcp with Host "${host}": ${outcome.kind}`);
  return outcome.response;
}

describe('front door on a non-loopback bind with the per-IP limit on', () => {
  let stack: Stack;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    stack = await startStack({ env: { HOST: '0.0.0.0', MCP_RATE_LIMIT_PER_IP: String(PER_IP) } });
  });

  afterAll(async () => {
    recordFigures('frontDoor', figures);
    await stack?.stop();
  });

  it('answers a malformed Host without a 500 (finding 8)', async () => {
    const token = await stack.token('alice');
    const hosts = ['a b', 'x:99999', '[zz', 'a@b', '%', 'exa mple.com:80'];
    const statuses: Record<string, number> = {};
    for (const host of hosts) {
      const response = await rawPost(
        stack.bridge.url,
        host,
        { Authorization: `Bearer ${token}` },
        JSON.stringify(INITIALIZE),
      );
      statuses[host] = response.status;
    }
    const parseErrors = stack.bridge.stdout.filter((line) => line.includes('Failed to parse URL')).length;
    figures['malformedHosts'] = { sent: hosts.length, statuses, parseErrorsLogged: parseErrors };
    // The Host is the proxy's business on this bind: the request is served like any other.
    expect(statuses).toEqual(Object.fromEntries(hosts.map((host) => [host, 200])));
    expect(parseErrors).toBe(0);
    expect(await stack.scanForLeaks()).toEqual([]);
  });

  it('keeps access-log lines short whatever the client puts in method, id and tool name (finding 2)', async () => {
    const token = await stack.token('alice');
    const huge = 'M'.repeat(300_000);
    const bodies = [
      { jsonrpc: '2.0', id: huge, method: huge },
      { jsonrpc: '2.0', id: huge, method: 'tools/call', params: { name: huge, arguments: {} } },
    ];
    const grown: number[] = [];
    const longest: number[] = [];
    // With a token and without one: the line is written for refusals too.
    const withToken: Record<string, string> = { Authorization: `Bearer ${token}` };
    for (const headers of [withToken, {}]) {
      for (const body of bodies) {
        const before = stack.bridge.stdout.length;
        const text = JSON.stringify(body);
        const response = await rawPost(stack.bridge.url, '127.0.0.1', headers, text);
        expect(response.status).toBeLessThan(500);
        // The access line is written when the response closes: wait for it.
        const deadline = Date.now() + 5_000;
        const accessLine = () => stack.bridge.stdout.slice(before).find((line) => line.includes('"msg":"request"'));
        while (!accessLine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const added = stack.bridge.stdout.slice(before);
        grown.push(added.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0));
        longest.push(Math.max(0, ...added.map((line) => Buffer.byteLength(line))));
        expect(accessLine(), 'the access log line was written').toBeDefined();
      }
    }
    figures['accessLog'] = { requests: grown.length, bodyBytes: 600_000, logBytesPerRequest: grown };
    for (const bytes of longest) expect(bytes).toBeLessThan(2_000);
  });

  it('counts refused tokens against the per-IP limit (finding 1)', async () => {
    // What this address has left in its window depends on what ran before (the two unauthenticated
    // access-log requests above, when the whole file runs): the first answer says, counting itself.
    let left: number | undefined;
    const authorizations = [
      ...Array.from({ length: 20 }, () => 'Bearer x.y.z'),
      ...Array.from({ length: 10 }, () => 'Foo bar'),
    ];
    const statuses: number[] = [];
    for (const authorization of authorizations) {
      const response = await fetch(`${stack.bridge.url}/mcp`, {
        method: 'POST',
        headers: {
          Authorization: authorization,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(INITIALIZE),
      });
      statuses.push(response.status);
      left ??= Number(response.headers.get('ratelimit-remaining')) + 1;
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      await response.arrayBuffer();
    }
    const refused = statuses.filter((status) => status === 429).length;
    const unauthorized = statuses.filter((status) => status === 401).length;
    figures['badTokenFlood'] = {
      perIpLimit: PER_IP,
      sent: statuses.length,
      answered401: unauthorized,
      answered429: refused,
    };
    expect(left).toBeLessThanOrEqual(PER_IP);
    expect(unauthorized).toBe(left);
    expect(refused).toBe(authorizations.length - (left ?? 0));
    // A valid token from the same address is not held back by the address's limit.
    const token = await stack.token('bob');
    const allowed = await postMcp(`${stack.bridge.url}/mcp`, token, JSON.stringify(INITIALIZE));
    expect(allowed.status).toBe(200);
    await allowed.arrayBuffer();
  });
});
