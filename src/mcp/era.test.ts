import type { IncomingMessage } from 'node:http';
import { toWebRequest } from '@modelcontextprotocol/node';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { modernMeta, modernRequest, withHeaders } from '../../test/helpers/modern-request.js';
import { is2025Era, acceptedModernRequest } from './era.js';

const META = modernMeta();

/** Enough of a Node request for `toWebRequest` and `is2025Era`. */
function nodeRequest(headers: Record<string, string | string[]>): IncomingMessage {
  return {
    method: 'POST',
    url: '/mcp',
    headers: { host: '127.0.0.1', 'content-type': 'application/json', ...headers },
    socket: {},
  } as unknown as IncomingMessage;
}

const cases: Array<[string, Record<string, string | string[]>, unknown]> = [
  [
    '2025 tools/call without a session',
    { 'mcp-protocol-version': '2025-11-25' },
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } },
  ],
  [
    'initialize',
    {},
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    },
  ],
  [
    '2026 tools/list with the envelope and headers',
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: META } },
  ],
  [
    '2026 server/discover',
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' },
    { jsonrpc: '2.0', id: 3, method: 'server/discover', params: { _meta: META } },
  ],
  ['a notification', {}, { jsonrpc: '2.0', method: 'notifications/initialized' }],
  ['a response', {}, { jsonrpc: '2.0', id: 4, result: {} }],
  ['a batch', {}, [{ jsonrpc: '2.0', id: 5, method: 'ping' }]],
  ['an envelope without headers', {}, { jsonrpc: '2.0', id: 6, method: 'tools/list', params: { _meta: META } }],
  [
    'a modern header on a 2025 body',
    { 'mcp-protocol-version': '2026-07-28' },
    { jsonrpc: '2.0', id: 7, method: 'ping' },
  ],
  [
    'padded and repeated headers',
    { 'mcp-protocol-version': ' 2026-07-28 ', 'mcp-method': ['tools/list', 'tools/list'] },
    { jsonrpc: '2.0', id: 8, method: 'tools/list', params: { _meta: META } },
  ],
  [
    'a padded 2025 header',
    { 'mcp-protocol-version': '\t2025-11-25 ' },
    { jsonrpc: '2.0', id: 9, method: 'tools/list' },
  ],
  [
    'a repeated 2025 header',
    { 'mcp-protocol-version': ['2025-11-25', '2025-11-25'] },
    { jsonrpc: '2.0', id: 10, method: 'ping' },
  ],
  ['a header that is no revision', { 'mcp-protocol-version': 'zzz' }, { jsonrpc: '2.0', id: 11, method: 'ping' }],
  [
    '_meta without the envelope claim',
    { 'mcp-protocol-version': '2025-06-18' },
    { jsonrpc: '2.0', id: 12, method: 'tools/call', params: { name: 'x', _meta: { progressToken: 1 } } },
  ],
  [
    'an envelope claim that is not a string',
    {},
    {
      jsonrpc: '2.0',
      id: 13,
      method: 'tools/list',
      params: { _meta: { 'io.modelcontextprotocol/protocolVersion': 7 } },
    },
  ],
  [
    'initialize under a 2026 header',
    { 'mcp-protocol-version': '2026-07-28' },
    { jsonrpc: '2.0', id: 14, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {} } },
  ],
  [
    'a notification under a 2026 header',
    { 'mcp-protocol-version': '2026-07-28' },
    { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
  ],
  [
    'a 2026 notification with the envelope',
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'notifications/cancelled' },
    { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: META } },
  ],
  [
    'an envelope under a 2025 header',
    { 'mcp-protocol-version': '2025-11-25' },
    { jsonrpc: '2.0', id: 15, method: 'tools/list', params: { _meta: META } },
  ],
  [
    'an envelope whose method header disagrees',
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' },
    { jsonrpc: '2.0', id: 16, method: 'tools/list', params: { _meta: META } },
  ],
  [
    'initialize with the envelope',
    { 'mcp-protocol-version': '2026-07-28' },
    { jsonrpc: '2.0', id: 17, method: 'initialize', params: { protocolVersion: '2026-07-28', _meta: META } },
  ],
  [
    'initialize with a broken envelope and no header',
    {},
    {
      jsonrpc: '2.0',
      id: 18,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', _meta: { 'io.modelcontextprotocol/protocolVersion': 7 } },
    },
  ],
];

describe('is2025Era', () => {
  it.each(cases)('agrees with the SDK isLegacyRequest: %s', async (_name, headers, body) => {
    const req = nodeRequest(headers);
    const expected = await isLegacyRequest(await toWebRequest(req, body), body);
    expect(is2025Era(req, body)).toBe(expected);
  });

  it('sends 2025 requests and 2026 requests to different handlers', () => {
    expect(is2025Era(nodeRequest({}), cases[0]![2])).toBe(true);
    expect(is2025Era(nodeRequest(cases[2]![1]), cases[2]![2])).toBe(false);
  });
});

describe('acceptedModernRequest', () => {
  const call = modernRequest(1, 'tools/call', { name: 'list_companies', arguments: {} });
  /** Whether the request goes to the bridge's own transport. */
  const plain = ({ headers, body }: { headers: Record<string, string>; body: unknown }) =>
    acceptedModernRequest(nodeRequest(headers), body);

  it('takes tool calls, tools/list and server/discover that pass every check of the SDK handler', () => {
    expect(plain(call)?.message).toBe(call.body);
    for (const method of ['tools/list', 'server/discover']) {
      expect(plain(modernRequest(1, method))?.classification).toEqual({ era: 'modern', revision: '2026-07-28' });
    }
  });

  const cancelled = modernRequest(1, 'notifications/cancelled', { requestId: 1 });
  const notification = {
    ...cancelled,
    body: { jsonrpc: '2.0', method: cancelled.body.method, params: cancelled.body.params },
  };

  it.each<[string, { headers: Record<string, string>; body: unknown }]>([
    ['a 2025-era request', { headers: { 'mcp-protocol-version': '2025-11-25' }, body: cases[0]![2] }],
    ['no MCP-Protocol-Version', withHeaders(modernRequest(1, 'tools/list'), { 'mcp-protocol-version': undefined })],
    ['no Mcp-Method', withHeaders(modernRequest(1, 'tools/list'), { 'mcp-method': undefined })],
    ['a call without Mcp-Name', withHeaders(call, { 'mcp-name': undefined })],
    ['a call naming another tool', withHeaders(call, { 'mcp-name': 'get_company' })],
    ['a Base64-encoded Mcp-Name', withHeaders(call, { 'mcp-name': '=?base64?bGlzdF9jb21wYW5pZXM=?=' })],
    ['ping', modernRequest(1, 'ping')],
    ['subscriptions/listen', modernRequest(1, 'subscriptions/listen')],
    ['a notification', notification],
    ['another revision', modernRequest(1, 'tools/list', {}, '2027-01-01')],
  ])('leaves %s to the SDK handler', (_name, request) => {
    expect(plain(request)).toBeUndefined();
  });
});
