import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectProfiles } from '../profiles.js';
import type { DoctorContext } from '../types.js';
import { checkToken, duration } from './token.js';

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let jwk: Record<string, unknown>;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
});

const ISSUER = 'https://my.neonpanel.com';

function context(token: string): DoctorContext {
  return {
    target: {
      input: 'x',
      origin: 'https://mcp.neonpanel.com',
      mcpUrl: 'https://mcp.neonpanel.com/mcp',
      sseUrl: 'https://mcp.neonpanel.com/sse',
    },
    clients: selectProfiles(['chatgpt']),
    token,
    register: false,
    clientMetadataUrl: undefined,
    apiUrl: undefined,
    timeoutMs: 1000,
    fetch,
    facts: { issuer: ISSUER, jwks: { keys: [jwk] }, prm: { scopes_supported: ['neonpanel.mcp'] } },
  };
}

async function sign(claims: Record<string, unknown>, expiresIn = '1h'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(privateKey);
}

const statuses = async (token: string) => Object.fromEntries((await checkToken(context(token))).map((r) => [r.id, r]));

describe('checkToken', () => {
  it('passes a token made for this server', async () => {
    const token = await sign({
      iss: ISSUER,
      sub: 'alice',
      aud: 'https://mcp.neonpanel.com/mcp',
      scope: 'neonpanel.mcp',
    });
    const results = await checkToken(context(token));
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(JSON.stringify(results)).not.toContain(token);
  });

  it('names a trailing-slash issuer mismatch the way people can see it', async () => {
    const byId = await statuses(
      await sign({ iss: `${ISSUER}/`, sub: 'a', aud: 'https://mcp.neonpanel.com/mcp', scope: 'neonpanel.mcp' }),
    );
    expect(byId['token.iss']!.status).toBe('fail');
    expect(byId['token.iss']!.detail).toContain(
      'the issuer in the token is https://my.neonpanel.com/ with a trailing slash; NEONPANEL_ISSUER is https://my.neonpanel.com',
    );
    expect(byId['token.iss']!.fix).toBe(
      'Set NEONPANEL_ISSUER=https://my.neonpanel.com/ exactly as the issuer writes it; issuers are compared as exact strings.',
    );
  });

  it('judges audience, scope, subject and expiry', async () => {
    const byId = await statuses(await sign({ iss: ISSUER, scope: 'dcr.create' }, '-5 minutes'));
    expect(byId['token.aud']!.status).toBe('fail');
    expect(byId['token.scope']!.detail).toContain('requires neonpanel.mcp');
    expect(byId['token.sub']!.status).toBe('fail');
    expect(byId['token.exp']!.detail).toMatch(/^expired 5 min ago/);
  });

  it('fails a token that is not a JWT without echoing it', async () => {
    const results = await checkToken(context('not-a-token'));
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: 'token.format', status: 'fail' });
  });

  it('formats durations', () => {
    expect([duration(40), duration(600), duration(7500)]).toEqual(['40 s', '10 min', '2 h 5 min']);
  });
});
