import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIssuer, startLocalIssuer } from '../../test/integration/auth/local-issuer.js';
import { silentLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { AuthError } from './errors.js';
import { KeyStore } from './jwks.js';
import { TokenVerifier } from './verifier.js';

/** The bridge's MCP_PUBLIC_URL in these tests. */
const BRIDGE = 'https://mcp.neonpanel.test';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(() => issuer.close());

function setup(overrides: Partial<ConstructorParameters<typeof TokenVerifier>[0]> = {}) {
  const keys = new KeyStore({
    jwksUri: `${issuer.issuer}/.well-known/jwks.json`,
    fetch,
    logger: silentLogger(),
    metrics: createMetrics(),
    firstSeenCooldownMs: 0,
  });
  let resolves = 0;
  const counting = {
    resolve: (h: Parameters<KeyStore['resolve']>[0]) => {
      resolves++;
      return keys.resolve(h);
    },
  };
  const verifier = new TokenVerifier(
    {
      issuer: issuer.issuer,
      audience: undefined,
      publicUrl: BRIDGE,
      apiUrl: 'https://api.neonpanel.test/v1',
      scopes: undefined,
      jwtAlgorithms: ['RS256'],
      clockToleranceSeconds: 30,
      ...overrides,
    },
    counting,
  );
  return { verifier, keys, resolves: () => resolves };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

describe('TokenVerifier', () => {
  it('verifies once per token: a repeated token is served from the cache', async () => {
    const { verifier, resolves } = setup();
    const token = await issuer.issueToken({
      sub: 'alice',
      scope: 'a b',
      aud: ['x', `${BRIDGE}/mcp`],
      extraClaims: { client_id: 'c1' },
    });
    const first = await verifier.verify(token);
    expect(first).toMatchObject({ sub: 'alice', scopes: ['a', 'b'], audience: ['x', `${BRIDGE}/mcp`], clientId: 'c1' });
    for (let i = 0; i < 5; i++) expect(await verifier.verify(token)).toEqual(first);
    expect(resolves()).toBe(1);
  });

  it('never caches a refused token, and checks scopes on cached ones too', async () => {
    const { verifier } = setup({ scopes: ['write'] });
    const token = await issuer.issueToken({ sub: 'alice', scope: 'read' });
    expect(await codeOf(verifier.verify(token))).toBe('insufficient_scope');
    expect(await codeOf(verifier.verify(token))).toBe('insufficient_scope');
    expect(await codeOf(verifier.verify(''))).toBe('missing_token');
  });

  it('refuses a disallowed algorithm before any key is fetched', async () => {
    const { verifier, resolves } = setup({ jwtAlgorithms: ['ES256'] });
    expect(await codeOf(verifier.verify(await issuer.issueToken({ sub: 'alice' })))).toBe('alg_not_allowed');
    expect(resolves()).toBe(0);
  });

  it('tells expiry within the clock tolerance from expiry beyond it', async () => {
    const { verifier } = setup();
    expect((await verifier.verify(await issuer.issueToken({ sub: 'a', expiresIn: -10 }))).sub).toBe('a');
    expect(await codeOf(verifier.verify(await issuer.issueToken({ sub: 'a', expiresIn: -60 })))).toBe('expired');
  });

  it('by default accepts no aud, or an aud naming the bridge, the issuer or the API; refuses any other', async () => {
    const { verifier } = setup();
    const accepted = [
      undefined,
      BRIDGE,
      `${BRIDGE}/`,
      `${BRIDGE}/mcp`,
      `${BRIDGE}/mcp/readonly`,
      `${BRIDGE}/sse`,
      issuer.issuer,
      'https://api.neonpanel.test',
      'https://api.neonpanel.test/v1',
      ['https://elsewhere.example', `${BRIDGE}/mcp`],
    ];
    for (const aud of accepted) {
      const token = await issuer.issueToken({ sub: 'alice', ...(aud === undefined ? {} : { aud }) });
      expect((await verifier.verify(token)).sub, JSON.stringify(aud)).toBe('alice');
    }
    const refused: unknown[] = [
      'https://evil.example/api',
      ['https://evil', 'x'],
      5,
      [],
      [`${BRIDGE}/mcp`, 7],
      `${BRIDGE}.evil.example/mcp`,
      `${BRIDGE}/other`,
    ];
    for (const aud of refused) {
      const token = await issuer.issueToken({ sub: 'alice', extraClaims: { aud } });
      expect(await codeOf(verifier.verify(token)), JSON.stringify(aud)).toBe('wrong_audience');
    }
  });

  it('with MCP_AUDIENCE set, requires an aud naming one of its values', async () => {
    const { verifier } = setup({ audience: ['https://only.example/mcp'] });
    expect(await codeOf(verifier.verify(await issuer.issueToken({ sub: 'a' })))).toBe('missing_claim');
    expect(await codeOf(verifier.verify(await issuer.issueToken({ sub: 'a', aud: `${BRIDGE}/mcp` })))).toBe(
      'wrong_audience',
    );
    expect((await verifier.verify(await issuer.issueToken({ sub: 'a', aud: 'https://only.example/mcp' }))).sub).toBe(
      'a',
    );
  });
});
