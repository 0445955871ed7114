import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

/** The ConfigError `loadConfig` throws for `env`, or undefined when it accepts it. */
function refusal(env: Record<string, string>): ConfigError | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('MCP_TRUST_PROXY', () => {
  it('is off by default', () => {
    expect(loadConfig({}).trustProxy).toBeUndefined();
  });

  it('takes a hop count or a list of addresses, CIDR ranges and range names', () => {
    expect(loadConfig({ MCP_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ MCP_TRUST_PROXY: ' loopback, 10.0.0.0/8 ,fd00::/8,192.0.2.7' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
  });

  it.each([
    ['true', /would trust an X-Forwarded-For sent by any client/],
    ['10.0.0.0/33', /"10\.0\.0\.0\/33" is none of these/],
    ['proxy.internal', /"proxy\.internal" is none of these/],
    ['loopback,300.1.1.1', /"300\.1\.1\.1" is none of these/],
    ['101', /between 0 and 100/],
  ])('refuses %s with a message naming the variable', (value, message) => {
    const error = refusal({ MCP_TRUST_PROXY: value });
    expect(error?.variable).toBe('MCP_TRUST_PROXY');
    expect(error?.message).toMatch(/^MCP_TRUST_PROXY/);
    expect(error?.message).toMatch(message);
  });
});

describe('REDIS_KEY_PREFIX', () => {
  it('defaults to neonpanel-mcp: and takes another prefix', () => {
    expect(loadConfig({}).redisKeyPrefix).toBe('neonpanel-mcp:');
    expect(loadConfig({ REDIS_KEY_PREFIX: 'neonpanel-mcp:staging:' }).redisKeyPrefix).toBe('neonpanel-mcp:staging:');
  });

  it('refuses a prefix with spaces or wildcards', () => {
    for (const value of ['two words', 'prefix*', 'x'.repeat(65)]) {
      const error = refusal({ REDIS_KEY_PREFIX: value });
      expect(error?.variable).toBe('REDIS_KEY_PREFIX');
      expect(error?.message).toMatch(/^REDIS_KEY_PREFIX must be 1 to 64 letters/);
    }
  });
});
