import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIssuer, startLocalIssuer } from '../../test/integration/auth/local-issuer.js';
import { silentLogger } from '../telemetry/logger.js';
import { IssuerMetadataMirror, wellKnownUrl } from './issuer-metadata.js';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(() => issuer.close());

const mirrorOf = (url: string) =>
  new IssuerMetadataMirror({
    config: { issuer: url, jwksUri: `${url}/.well-known/jwks.json`, scopes: undefined },
    fetch,
    logger: silentLogger(),
  });

describe('IssuerMetadataMirror', () => {
  it('builds RFC 8414 (inserted) and OIDC (appended) well-known URLs', () => {
    expect(wellKnownUrl('https://a.example/tenant', 'oauth-authorization-server', 'insert')).toBe(
      'https://a.example/.well-known/oauth-authorization-server/tenant',
    );
    expect(wellKnownUrl('https://a.example/tenant', 'openid-configuration', 'append')).toBe(
      'https://a.example/tenant/.well-known/openid-configuration',
    );
    expect(wellKnownUrl('https://a.example', 'oauth-authorization-server', 'insert')).toBe(
      'https://a.example/.well-known/oauth-authorization-server',
    );
  });

  it('mirrors an OpenID configuration only when the issuer has one', async () => {
    const mirror = mirrorOf(issuer.issuer);
    await mirror.refresh();
    expect(mirror.openidConfiguration()).toBeUndefined();
    issuer.misbehave.set({ openidConfiguration: true });
    await mirror.refresh();
    expect(mirror.openidConfiguration()).toMatchObject({ issuer: issuer.issuer, subject_types_supported: ['public'] });
    issuer.misbehave.set({ openidConfiguration: false });
  });

  it('keeps the last good copy while the issuer is down, and says so', async () => {
    const mirror = mirrorOf(issuer.issuer);
    await mirror.refresh();
    const live = mirror.authorizationServer();
    expect(mirror.status().source).toBe('live');
    issuer.misbehave.set({ metadataDown: true });
    await mirror.refresh();
    issuer.misbehave.set({ metadataDown: false });
    expect(mirror.authorizationServer()).toEqual(live);
    expect(mirror.status()).toMatchObject({ source: 'cached', lastError: expect.stringContaining('HTTP 503') });
    await mirror.refresh();
    expect(mirror.status().source).toBe('live');
  });

  it('falls back to a document built from configuration when never reached', async () => {
    const mirror = mirrorOf('http://127.0.0.1:9');
    await mirror.refresh();
    expect(mirror.status()).toMatchObject({ source: 'fallback', lastFetchAt: null });
    expect(mirror.authorizationServer()).toMatchObject({
      issuer: 'http://127.0.0.1:9',
      token_endpoint: 'http://127.0.0.1:9/oauth2/token',
    });
  });
});
