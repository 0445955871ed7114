import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { webRequestOf } from './web-request.js';

const ORIGIN = 'https://mcp.neonpanel.example';
const nodeRequest = (url: string, host: string) =>
  ({ url, method: 'POST', headers: { host, 'content-type': 'application/json' } }) as unknown as IncomingMessage;

describe('the web Request handed to the SDK', () => {
  it('takes its URL from the public origin and the path, never from Host', () => {
    for (const host of ['a b', 'x:99999', '[zz', 'a@b', '%', 'evil.example']) {
      const request = webRequestOf(nodeRequest('/mcp?x=1', host), ORIGIN);
      expect(request.url, host).toBe(`${ORIGIN}/mcp?x=1`);
      expect(request.headers.get('host')).toBe(host);
    }
  });

  it('keeps only the path of an absolute-form target', () => {
    expect(webRequestOf(nodeRequest('http://a b/mcp', 'h'), ORIGIN).url).toBe(`${ORIGIN}/`);
    expect(webRequestOf(nodeRequest('http://other.example/mcp', 'h'), ORIGIN).url).toBe(`${ORIGIN}/mcp`);
  });
});
