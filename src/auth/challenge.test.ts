import { describe, expect, it } from 'vitest';
import { buildChallenge } from './challenge.js';
import { AuthError, quoteUntrusted } from './errors.js';

const options = { publicUrl: 'https://mcp.example.test', route: 'sse' as const, scopes: undefined };

describe('buildChallenge', () => {
  it('is bare when no token was sent (RFC 6750 §3.1)', () => {
    const c = buildChallenge(new AuthError('missing_token', 'no bearer token was sent'), options);
    expect(c.status).toBe(401);
    expect(c.wwwAuthenticate).toBe(
      'Bearer resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/sse"',
    );
  });

  it('adds scope, error and description when a token was refused', () => {
    const c = buildChallenge(new AuthError('expired', 'expired at 2026-11-25T10:00:00Z'), {
      ...options,
      route: 'mcp',
      scopes: ['a', 'b'],
    });
    expect(c.wwwAuthenticate).toBe(
      'Bearer resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp", scope="a b", ' +
        'error="invalid_token", error_description="expired at 2026-11-25T10:00:00Z"',
    );
    expect(c.body).toMatchObject({ error: 'invalid_token', error_description: 'expired at 2026-11-25T10:00:00Z' });
  });

  it('keeps hostile claim values from breaking out of the quoted string', () => {
    const iss = quoteUntrusted('https://x"\r\nSet-Cookie: a=b\\');
    const c = buildChallenge(new AuthError('wrong_issuer', `issuer ${iss}, expected https://y`), options);
    expect(c.wwwAuthenticate).not.toMatch(/[\r\n]/);
    expect(c.wwwAuthenticate.match(/"/g)?.length).toBe(6);
    expect(c.wwwAuthenticate).toContain(`error_description="issuer https://x'??Set-Cookie: a=b?, expected https://y"`);
  });

  it('answers insufficient scope with 403', () => {
    const c = buildChallenge(new AuthError('insufficient_scope', 'the token lacks scope a'), options);
    expect(c.status).toBe(403);
    expect(c.wwwAuthenticate).toContain('error="insufficient_scope"');
  });
});
