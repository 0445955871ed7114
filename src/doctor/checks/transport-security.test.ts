import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/helpers/doctor-context.js';
import { isLoopbackHost, judgeSchemeAndPort } from './transport-security.js';

const judge = (url: string, clients = ['all']) => judgeSchemeAndPort(testContext(url, clients));

describe('judgeSchemeAndPort', () => {
  it('passes https on 443', () => {
    expect(judge('https://mcp.example.com/mcp')).toMatchObject({ status: 'pass', detail: 'https on port 443.' });
  });

  it('warns about another https port when Claude is judged, naming the port and the source', () => {
    const result = judge('https://mcp.example.com:8443/mcp');
    expect(result).toMatchObject({ status: 'warn', detail: 'https on port 8443.' });
    expect(result.fix).toContain('Serve on port 443 (https://mcp.example.com/mcp)');
    expect(result.fix).toContain('claude-ai-mcp#85');
    expect(judge('https://mcp.example.com:8443/mcp', ['cursor']).status).toBe('pass');
  });

  it('fails plain http on a public host', () => {
    const result = judge('http://mcp.example.com/mcp');
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('Serve the bridge over https');
  });

  it('passes plain http on loopback as a local test deployment', () => {
    for (const url of ['http://127.0.0.1:3000/mcp', 'http://localhost:3000', 'http://[::1]:3000/mcp']) {
      expect(judge(url)).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining('local test deployment'),
      });
    }
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('127.example.com')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});
