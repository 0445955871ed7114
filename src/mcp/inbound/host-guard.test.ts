import { describe, expect, it } from 'vitest';
import { bindAddress, hostMatcher, isLoopbackBind } from './host-guard.js';

const isAllowedHost = (host: string | undefined, publicUrl: string) => hostMatcher(publicUrl)(host);

describe('host guard', () => {
  it('knows loopback bind addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackBind(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopbackBind(h), h).toBe(false);
    // Other spellings of a loopback address, as an IPv6 bind or a resolver may report them.
    for (const h of ['::ffff:127.0.0.1', '0:0:0:0:0:0:0:1', '[0:0:0:0:0:0:0:1]'])
      expect(isLoopbackBind(h), h).toBe(true);
  });

  it('decides from the address HOST binds, however HOST spells it', async () => {
    for (const host of ['127.1', '0x7f.0.0.1', '2130706433']) {
      const bound = await bindAddress(host);
      expect(bound, host).toBe('127.0.0.1');
      expect(isLoopbackBind(bound), host).toBe(true);
    }
    expect(isLoopbackBind(await bindAddress('localhost'))).toBe(true);
    expect(await bindAddress('[::1]')).toBe('::1');
    expect(await bindAddress('0.0.0.0')).toBe('0.0.0.0');
    expect(isLoopbackBind(await bindAddress('0.0.0.0'))).toBe(false);
  });

  it('allows loopback names on any port and the public host, refuses the rest', () => {
    const pub = 'https://mcp.neonpanel.com';
    for (const h of [
      'localhost',
      'LOCALHOST:3000',
      '127.0.0.1:1',
      '[::1]:8080',
      'mcp.neonpanel.com',
      'mcp.neonpanel.com:443',
    ]) {
      expect(isAllowedHost(h, pub), h).toBe(true);
    }
    for (const h of [
      undefined,
      '',
      'evil.example',
      'mcp.neonpanel.com:8443',
      'mcp.neonpanel.com.evil.example',
      '127.0.0.2',
    ]) {
      expect(isAllowedHost(h, pub), String(h)).toBe(false);
    }
    expect(isAllowedHost('127.0.0.1:4000', 'http://127.0.0.1:4000')).toBe(true);
    expect(isAllowedHost('mcp.local:4000', 'http://localhost:4000')).toBe(false);
  });
});
