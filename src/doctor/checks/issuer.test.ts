import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, serve, testContext } from '../../../test/helpers/doctor-context.js';
import { checkOpenidConfiguration, oidcDocumentProblems } from './issuer.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** An issuer whose openid-configuration answers `status` with `body(origin)`. */
async function issuerAnswering(status: number, body: (origin: string) => unknown, clients = ['chatgpt']) {
  const server = await serve((req, res, origin) => {
    if (req.url === '/.well-known/openid-configuration') sendJson(res, status, body(origin));
    else sendJson(res, 404, { error: 'not_found' });
  });
  close = server.close;
  const ctx = testContext('https://mcp.example.com/mcp', clients, {
    issuer: server.url,
    asMetadata: { issuer: server.url },
  });
  return (await checkOpenidConfiguration(ctx))[0]!;
}

const validOidc = (origin: string) => ({
  issuer: origin,
  authorization_endpoint: `${origin}/authorize`,
  token_endpoint: `${origin}/token`,
  jwks_uri: `${origin}/jwks.json`,
  response_types_supported: ['code'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
});

describe('checkOpenidConfiguration', () => {
  it('passes when the issuer has none', async () => {
    expect(await issuerAnswering(404, () => ({}))).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('absent'),
    });
  });

  it('passes a complete OpenID discovery document', async () => {
    expect((await issuerAnswering(200, validOidc)).status).toBe('pass');
  });

  it('fails the OAuth metadata served under the OIDC name for ChatGPT, and warns for others', async () => {
    const partial = (origin: string) => ({
      issuer: origin,
      authorization_endpoint: `${origin}/a`,
      jwks_uri: `${origin}/j`,
    });
    const result = await issuerAnswering(200, partial);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(
      'missing response_types_supported, subject_types_supported, id_token_signing_alg_values_supported',
    );
    expect(result.fix).toContain('(404) or make it a complete OpenID discovery document');
    expect((await issuerAnswering(200, partial, ['cursor'])).status).toBe('warn');
  });

  it('fails an issuer mismatch', async () => {
    const result = await issuerAnswering(200, (origin) => ({ ...validOidc(origin), issuer: `${origin}/` }));
    expect(result.detail).toMatch(/issuer "http:\/\/127\.0\.0\.1:\d+\/" is not http:\/\/127\.0\.0\.1:\d+/);
  });
});

describe('oidcDocumentProblems', () => {
  it('names empty arrays as missing', () => {
    const doc = { ...validOidc('https://i'), subject_types_supported: [] };
    expect(oidcDocumentProblems(doc, 'https://i')).toEqual(['missing subject_types_supported']);
  });
});
