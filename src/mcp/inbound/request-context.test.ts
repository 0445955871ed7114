import { describe, expect, it } from 'vitest';
import { mcpDetails } from './request-context.js';

describe('access log MCP fields', () => {
  it('logs known methods by name and any other method as other', () => {
    expect(mcpDetails({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toEqual({ mcpMethod: 'tools/list', mcpId: 1 });
    expect(mcpDetails({ jsonrpc: '2.0', id: 2, method: 'x'.repeat(300_000) }).mcpMethod).toBe('other');
  });

  it('cuts string ids and tool names to 100 characters, whatever the client sent', () => {
    const long = 'i'.repeat(300_000);
    const details = mcpDetails({ jsonrpc: '2.0', id: long, method: 'tools/call', params: { name: long } });
    expect(details.mcpId).toBe(`${'i'.repeat(100)}...`);
    expect(details.tool).toBe(`${'i'.repeat(100)}...`);
    expect(JSON.stringify(details).length).toBeLessThan(300);
    const short = mcpDetails({ jsonrpc: '2.0', id: 'a-1', method: 'tools/call', params: { name: 'list_companies' } });
    expect(short).toEqual({ mcpMethod: 'tools/call', mcpId: 'a-1', tool: 'list_companies' });
  });

  it('logs nothing of batches, objects as ids or bodies without a method', () => {
    expect(mcpDetails([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }])).toEqual({});
    expect(mcpDetails({ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' })).toEqual({
      mcpMethod: 'ping',
      mcpId: undefined,
    });
    expect(mcpDetails({ jsonrpc: '2.0', id: 1 })).toEqual({});
  });
});
