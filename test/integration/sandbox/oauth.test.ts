/** The sandbox's authorization server over real HTTP: DCR, code + PKCE, refresh rotation, client credentials, RFC 7592. */

import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';
import {
  approveAs,
  authorizeUrl,
  codeAuthorizeUrl,
  loginAs,
  pkcePair,
  type Registration,
  register,
  registerPublicClient,
  tokenRequest,
} from './oauth-client.js';
import { closeServer, listen } from '../../helpers/loopback.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('metadata and keys', () => {
  it('serves RFC 8414 metadata with the seed fields and NeonPanel routes', async () => {
    const response = await fetch(`${sandbox.url}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      issuer: sandbox.issuer,
      authorization_endpoint: `${sandbox.url}/oauth2/authorize`,
      registration_endpoint: `${sandbox.url}/oauth2/register`,
      token_endpoint: `${sandbox.url}/oauth2/token`,
      jwks_uri: `${sandbox.url}/.well-known/jwks.json`,
      scopes_supported: ['openid'],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['none', 'private_key_jwt', 'client_secret_post', 'client_secret_basic'],
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('publishes RS256 signing keys with kid and has no openid-configuration', async () => {
    const jwks = (await (await fetch(`${sandbox.url}/.well-known/jwks.json`)).json()) as {
      keys: Array<Record<string, string>>;
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: sandbox.keys.currentKid });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect((await fetch(`${sandbox.url}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('answers CORS preflights on AS routes for browser clients', async () => {
    const response = await fetch(`${sandbox.url}/oauth2/token`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
  });
});

describe('authorization code + PKCE', () => {
  it('registers by DCR, logs in as alice through the consent form, and gets a verifiable RS256 token', async () => {
    const resource = 'https://mcp.example.com/mcp';
    const { tokens, client } = await loginAs(sandbox.url, 'alice', { resource: `${resource}/` });
    expect(client.client_secret).toBeUndefined();
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
    expect(tokens.refresh_token).toBeTruthy();
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: sandbox.issuer,
      audience: resource,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.kid).toBe(sandbox.keys.currentKid);
    expect(payload).toMatchObject({ sub: 'alice', scope: 'openid', client_id: client.client_id });
    expect(typeof payload.iat).toBe('number');
    expect(typeof payload.exp).toBe('number');
    const api = await fetch(`${sandbox.url}/api/v1/companies`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(api.status).toBe(200);
  });

  it('echoes state and iss, and redirects to the same loopback URI on another port (RFC 8252)', async () => {
    const client = await registerPublicClient(sandbox.url, 'http://localhost:3000/callback');
    const { challenge } = pkcePair();
    const location = await approveAs(
      authorizeUrl(sandbox.url, {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: 'http://localhost:54321/callback',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'opaque-state',
      }),
      'bob',
    );
    expect(location.origin + location.pathname).toBe('http://localhost:54321/callback');
    expect(location.searchParams.get('state')).toBe('opaque-state');
    expect(location.searchParams.get('iss')).toBe(sandbox.issuer);
  });

  it('refuses a wrong code_verifier, a reused code and a mismatched redirect_uri with invalid_grant', async () => {
    const client = await registerPublicClient(sandbox.url);
    const { verifier, challenge } = pkcePair();
    const params = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: 'http://127.0.0.1:7777/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const code = (await approveAs(authorizeUrl(sandbox.url, params), 'alice')).searchParams.get('code') ?? '';
    const base = { grant_type: 'authorization_code', code, client_id: client.client_id };
    const wrongVerifier = await tokenRequest(sandbox.url, {
      ...base,
      redirect_uri: params.redirect_uri,
      code_verifier: pkcePair().verifier,
    });
    expect(wrongVerifier.status).toBe(400);
    expect(wrongVerifier.headers.get('cache-control')).toBe('no-store');
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });
    // The failed attempt consumed the code: one-time means one attempt.
    const reused = await tokenRequest(sandbox.url, {
      ...base,
      redirect_uri: params.redirect_uri,
      code_verifier: verifier,
    });
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });

    const code2 = (await approveAs(authorizeUrl(sandbox.url, params), 'alice')).searchParams.get('code') ?? '';
    const mismatch = await tokenRequest(sandbox.url, {
      ...base,
      code: code2,
      redirect_uri: 'http://127.0.0.1:7777/other',
      code_verifier: verifier,
    });
    expect(await mismatch.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('redirect_uri'),
    });
  });

  it('redirects authorization errors to the client and answers JSON 400 when the redirect URI is unknown', async () => {
    const client = await registerPublicClient(sandbox.url);
    const base = { client_id: client.client_id, redirect_uri: 'http://127.0.0.1:7777/callback', state: 's1' };
    const noPkce = await fetch(authorizeUrl(sandbox.url, { ...base, response_type: 'code' }), { redirect: 'manual' });
    expect(noPkce.status).toBe(302);
    const location = new URL(noPkce.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('s1');

    const badScope = await fetch(
      authorizeUrl(sandbox.url, {
        ...base,
        response_type: 'code',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        scope: 'openid admin',
      }),
      { redirect: 'manual' },
    );
    const scopeError = new URL(badScope.headers.get('location') ?? '');
    expect(scopeError.searchParams.get('error')).toBe('invalid_scope');
    expect(scopeError.searchParams.get('error_description')).toContain('openid');

    const plain = await fetch(
      authorizeUrl(sandbox.url, {
        ...base,
        response_type: 'code',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'plain',
      }),
      { redirect: 'manual' },
    );
    expect(new URL(plain.headers.get('location') ?? '').searchParams.get('error_description')).toContain('S256');

    const token = await fetch(authorizeUrl(sandbox.url, { ...base, response_type: 'token' }), { redirect: 'manual' });
    expect(new URL(token.headers.get('location') ?? '').searchParams.get('error')).toBe('unsupported_response_type');

    const unknownRedirect = await fetch(
      authorizeUrl(sandbox.url, { ...base, redirect_uri: 'https://evil.example/cb', response_type: 'code' }),
      { redirect: 'manual' },
    );
    expect(unknownRedirect.status).toBe(400);
    expect(await unknownRedirect.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('evil.example'),
    });
  });

  it('sends access_denied back when the user denies', async () => {
    const client = await registerPublicClient(sandbox.url);
    const location = await approveAs(codeAuthorizeUrl(sandbox.url, client.client_id), 'alice', 'deny');
    expect(location.searchParams.get('error')).toBe('access_denied');
  });
});

describe('the OAuth part of NeonPanel API 1.2', () => {
  it('grants openid, the one scope 1.2 defines, when none is asked for, and refuses the scopes 1.0 had', async () => {
    const { tokens } = await loginAs(sandbox.url, 'bob', { scope: '' });
    expect(tokens.scope).toBe('openid');
    const client = await registerPublicClient(sandbox.url);
    for (const scope of ['neonpanel.mcp', 'openid offline_access', 'dcr.create']) {
      const response = await fetch(codeAuthorizeUrl(sandbox.url, client.client_id, { scope }), { redirect: 'manual' });
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.searchParams.get('error'), scope).toBe('invalid_scope');
      expect(location.searchParams.get('error_description'), scope).toMatch(/is not supported; supported: openid$/);
    }
  });

  it('answers unsupported_grant_type for the sso_token grant, naming what the sandbox does not model', async () => {
    const response = await tokenRequest(sandbox.url, {
      grant_type: 'sso_token',
      sso_token: 'x',
      user_email: 'alice@example.com',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: `grant_type "sso_token" is not supported: NeonPanel's sso_token grant is not modelled by the sandbox`,
    });
  });
});

describe('refresh tokens', () => {
  it('rotates: the new refresh token works, the old one no longer does', async () => {
    const { client, tokens } = await loginAs(sandbox.url, 'alice');
    const first = await tokenRequest(sandbox.url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
      client_id: client.client_id,
    });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { access_token: string; refresh_token: string };
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const old = await tokenRequest(sandbox.url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
      client_id: client.client_id,
    });
    expect(old.status).toBe(400);
    expect(await old.json()).toMatchObject({ error: 'invalid_grant' });
    const next = await tokenRequest(sandbox.url, {
      grant_type: 'refresh_token',
      refresh_token: rotated.refresh_token,
      client_id: client.client_id,
    });
    expect(next.status).toBe(200);
  });
});

describe('confidential clients', () => {
  async function confidentialClient(method: string): Promise<Registration> {
    const response = await register(sandbox.url, {
      client_name: 'backend',
      redirect_uris: ['https://app.example.com/callback'],
      grant_types: ['client_credentials', 'authorization_code'],
      token_endpoint_auth_method: method,
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Registration;
  }

  it('gets a token by client credentials with client_secret_basic and client_secret_post', async () => {
    const client = await confidentialClient('client_secret_basic');
    expect(client.client_secret).toBeTruthy();
    expect(client.client_secret_expires_at).toBe(0);
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
    const viaBasic = await tokenRequest(
      sandbox.url,
      { grant_type: 'client_credentials', resource: 'https://mcp.example.com/mcp' },
      { authorization: `Basic ${basic}` },
    );
    expect(viaBasic.status).toBe(200);
    const body = (await viaBasic.json()) as { access_token: string; refresh_token?: string };
    expect(body.refresh_token).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer: sandbox.issuer });
    expect(payload.sub).toBe(client.client_id);
    expect(payload.aud).toBe('https://mcp.example.com/mcp');

    const viaPost = await tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret ?? '',
    });
    expect(viaPost.status).toBe(200);
  });

  it('reads HTTP Basic parts as form-encoded and refuses a part that is not, naming the problem', async () => {
    const client = await confidentialClient('client_secret_basic');
    const basic = (id: string, secret: string) => ({
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    });
    const grant = { grant_type: 'client_credentials', resource: 'https://mcp.example.com/mcp' };
    // RFC 6749 §2.3.1: the client id and secret are form-encoded before they are joined.
    const encoded = await tokenRequest(
      sandbox.url,
      grant,
      basic(encodeURIComponent(client.client_id), encodeURIComponent(client.client_secret ?? '')),
    );
    expect(encoded.status).toBe(200);

    const malformed = await tokenRequest(sandbox.url, grant, basic(client.client_id, '%zz'));
    expect(malformed.status).toBe(401);
    expect(await malformed.json()).toEqual({
      error: 'invalid_client',
      error_description: 'malformed HTTP Basic credentials: the client id and secret must be form-encoded',
    });
  });

  it('answers 401 invalid_client for a wrong secret, an unknown client and an assertion that is no JWT', async () => {
    const client = await confidentialClient('client_secret_post');
    const wrong = await tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const unknown = await tokenRequest(sandbox.url, { grant_type: 'client_credentials', client_id: 'np_missing' });
    expect(unknown.status).toBe(401);
    const assertion = await tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: 'x.y.z',
    });
    expect(assertion.status).toBe(401);
    expect(await assertion.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringContaining('client_assertion is not a JWT'),
    });
  });

  it('refuses client_credentials for a public client and JSON token requests', async () => {
    const client = await registerPublicClient(sandbox.url);
    const response = await tokenRequest(sandbox.url, { grant_type: 'client_credentials', client_id: client.client_id });
    expect(await response.json()).toMatchObject({ error: 'unauthorized_client' });
    const json = await fetch(`${sandbox.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('private_key_jwt (RFC 7523)', () => {
  /** A client key pair, its public JWK Set, and a registered client_credentials client using it. */
  async function keyedClient(alg: 'RS256' | 'ES256', registerWith: 'jwks' | 'jwks_uri') {
    const { publicKey, privateKey } = await generateKeyPair(alg);
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: `${alg}-key`, alg, use: 'sig' }] };
    let keyServer: Server | undefined;
    let keys: Record<string, unknown> = { jwks };
    if (registerWith === 'jwks_uri') {
      keyServer = createServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
      );
      keys = { jwks_uri: `${await listen(keyServer)}/jwks.json` };
    }
    const response = await register(sandbox.url, {
      client_name: 'signed backend',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      ...keys,
    });
    expect(response.status).toBe(201);
    const client = (await response.json()) as Registration;
    return { client, privateKey, alg, keyServer };
  }

  const tokenEndpoint = () => `${sandbox.url}/oauth2/token`;

  /** A signed assertion for `clientId`; `jti: null` leaves the claim out. */
  function sign(
    key: Parameters<SignJWT['sign']>[0],
    alg: string,
    clientId: string,
    { aud = tokenEndpoint(), exp = '2m' as string | number, jti = randomUUID() as string | null } = {},
  ) {
    return new SignJWT(jti === null ? {} : { jti })
      .setProtectedHeader({ alg, kid: `${alg}-key` })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(key);
  }

  function assertionRequest(assertion: string, extra: Record<string, string> = {}) {
    return tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      ...extra,
    });
  }

  async function refusal(response: Response): Promise<string> {
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client');
    return body.error_description;
  }

  it('gets a token with an assertion checked against inline jwks, and refuses the same assertion twice', async () => {
    const { client, privateKey, alg } = await keyedClient('RS256', 'jwks');
    const assertion = await sign(privateKey, alg, client.client_id);
    const first = await assertionRequest(assertion, { client_id: client.client_id });
    expect(first.status).toBe(200);
    const { access_token } = (await first.json()) as { access_token: string };
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/.well-known/jwks.json`));
    expect((await jwtVerify(access_token, jwks, { issuer: sandbox.issuer })).payload.sub).toBe(client.client_id);

    expect(await refusal(await assertionRequest(assertion))).toContain('already used');
  });

  it('issues no client_secret to a private_key_jwt client, and has none to rotate', async () => {
    const { client } = await keyedClient('RS256', 'jwks');
    expect(client).not.toHaveProperty('client_secret');
    const rotate = await fetch(`${client.registration_client_uri}/rotate-secret`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.registration_access_token}` },
    });
    expect(rotate.status).toBe(400);
    expect(await rotate.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('authenticates with private_key_jwt, not a client_secret'),
    });
  });

  it('fetches the keys from jwks_uri and accepts the issuer as audience', async () => {
    const { client, privateKey, alg, keyServer } = await keyedClient('ES256', 'jwks_uri');
    try {
      const assertion = await sign(privateKey, alg, client.client_id, { aud: sandbox.issuer });
      expect((await assertionRequest(assertion)).status).toBe(200);
    } finally {
      if (keyServer) await closeServer(keyServer);
    }
  });

  it('names what is wrong with an assertion: key, audience, expiry, lifetime, type, client', async () => {
    const { client, privateKey, alg } = await keyedClient('RS256', 'jwks');
    const stranger = await generateKeyPair('RS256');
    expect(await refusal(await assertionRequest(await sign(stranger.privateKey, alg, client.client_id)))).toContain(
      'signature does not verify',
    );
    const elsewhere = await sign(privateKey, alg, client.client_id, { aud: 'https://other.example.com/token' });
    expect(await refusal(await assertionRequest(elsewhere))).toContain('"aud"');
    const expired = await sign(privateKey, alg, client.client_id, { exp: Math.floor(Date.now() / 1000) - 120 });
    expect(await refusal(await assertionRequest(expired))).toContain('expired');
    const tooLong = await sign(privateKey, alg, client.client_id, { exp: Math.floor(Date.now() / 1000) + 7200 });
    expect(await refusal(await assertionRequest(tooLong))).toContain('lives too long');
    const noJti = await sign(privateKey, alg, client.client_id, { jti: null });
    expect(await refusal(await assertionRequest(noJti))).toContain('"jti"');

    const valid = await sign(privateKey, alg, client.client_id);
    const wrongType = await tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:example:saml',
      client_assertion: valid,
    });
    expect(await refusal(wrongType)).toContain('client_assertion_type must be');
    expect(await refusal(await assertionRequest(valid, { client_id: 'np_someone_else' }))).toContain(
      'is not the client_assertion\'s "sub"',
    );
    // Without its assertion, the private_key_jwt client is refused, and a secret client cannot use one.
    const bare = await tokenRequest(sandbox.url, { grant_type: 'client_credentials', client_id: client.client_id });
    expect(await refusal(bare)).toContain('must authenticate with a client_assertion');
    const secretClient = await register(sandbox.url, {
      client_name: 'secret backend',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const secretId = ((await secretClient.json()) as Registration).client_id;
    expect(await refusal(await assertionRequest(await sign(privateKey, alg, secretId)))).toContain(
      'is registered for client_secret_post, not private_key_jwt',
    );
  });
});

describe('redirect URIs at registration', () => {
  it.each([
    'https://chatgpt.com/connector/oauth/abc123',
    'https://chatgpt.com/connector_platform_oauth_redirect',
    'https://claude.ai/api/mcp/auth_callback',
    'https://claude.com/api/mcp/auth_callback',
    'http://localhost:6274/oauth/callback',
    'http://127.0.0.1:33418/',
    'cursor://anysphere.cursor-mcp/oauth/callback',
    'https://vscode.dev/redirect',
  ])('accepts %s', async (uri) => {
    const response = await register(sandbox.url, { redirect_uris: [uri], token_endpoint_auth_method: 'none' });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Registration).redirect_uris).toEqual([uri]);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,hi',
    'file:///etc/passwd',
    'http://example.com/callback',
    'not a uri',
  ])('rejects %s with invalid_redirect_uri naming it', async (uri) => {
    const response = await register(sandbox.url, { redirect_uris: ['https://ok.example/cb', uri] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_redirect_uri');
    expect(body.error_description).toContain(uri);
  });
});

describe('RFC 7592 client management', () => {
  it('reads, updates, rotates and deletes only with the registration access token', async () => {
    const created = (await (
      await register(sandbox.url, {
        client_name: 'managed',
        redirect_uris: ['https://app.example.com/cb'],
        token_endpoint_auth_method: 'client_secret_basic',
      })
    ).json()) as Registration;
    expect(created.registration_client_uri).toBe(`${sandbox.url}/oauth2/register/${created.client_id}`);
    const uri = created.registration_client_uri;
    const rat = { authorization: `Bearer ${created.registration_access_token}` };

    expect((await fetch(uri)).status).toBe(401);
    expect((await fetch(uri, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const read = await fetch(uri, { headers: rat });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ client_id: created.client_id, client_name: 'managed' });

    const unauthorizedPatch = await fetch(uri, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'hijacked' }),
    });
    expect(unauthorizedPatch.status).toBe(401);
    const patch = await fetch(uri, {
      method: 'PATCH',
      headers: { ...rat, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'renamed', redirect_uris: ['https://app.example.com/cb2'] }),
    });
    expect(patch.status).toBe(200);
    expect(await patch.json()).toMatchObject({
      client_name: 'renamed',
      redirect_uris: ['https://app.example.com/cb2'],
    });
    const badPatch = await fetch(uri, {
      method: 'PATCH',
      headers: { ...rat, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'] }),
    });
    expect(await badPatch.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('grant_types'),
    });

    expect((await fetch(`${uri}/rotate-secret`, { method: 'POST' })).status).toBe(401);
    const secret = (await (await fetch(`${uri}/rotate-secret`, { method: 'POST', headers: rat })).json()) as {
      client_secret: string;
      client_secret_expires_at: number;
    };
    expect(secret.client_secret).not.toBe(created.client_secret);
    expect(secret.client_secret_expires_at).toBe(0);

    const rotated = (await (await fetch(`${uri}/rotate`, { method: 'POST', headers: rat })).json()) as {
      registration_access_token: string;
      expires_in: number;
    };
    expect(rotated.expires_in).toBe(30 * 24 * 3600);
    expect((await fetch(uri, { headers: rat })).status).toBe(401);
    const newRat = { authorization: `Bearer ${rotated.registration_access_token}` };
    expect((await fetch(uri, { headers: newRat })).status).toBe(200);

    expect((await fetch(uri, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(uri, { method: 'DELETE', headers: newRat })).status).toBe(204);
    const afterDelete = await tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_id: created.client_id,
      client_secret: secret.client_secret,
    });
    expect(afterDelete.status).toBe(401);
    expect(await afterDelete.json()).toMatchObject({ error: 'invalid_client' });
  });
});

describe('in-process helpers', () => {
  it('issueToken and key rotation: new kid signs, old kid stays published until dropped', async () => {
    const before = sandbox.keys.currentKid;
    const oldToken = await sandbox.issueToken({ sub: 'alice' });
    const kid = await sandbox.keys.rotate();
    expect(kid).not.toBe(before);
    expect(decodeProtectedHeader(await sandbox.issueToken({ sub: 'alice' })).kid).toBe(kid);
    const kids = async () =>
      (
        (await (await fetch(`${sandbox.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
      ).keys.map((key) => key.kid);
    expect(await kids()).toEqual([before, kid]);
    const headers = { authorization: `Bearer ${oldToken}` };
    expect((await fetch(`${sandbox.url}/api/v1/reports`, { headers })).status).toBe(200);
    await sandbox.keys.rotate({ dropOld: true });
    expect(await kids()).toHaveLength(1);
    expect((await fetch(`${sandbox.url}/api/v1/reports`, { headers })).status).toBe(401);
  });

  it('issueToken honours kid null, an unknown kid, expiry and extra claims', async () => {
    expect(decodeProtectedHeader(await sandbox.issueToken({ sub: 'alice', kid: null })).kid).toBeUndefined();
    expect(decodeProtectedHeader(await sandbox.issueToken({ sub: 'alice', kid: 'unknown-kid' })).kid).toBe(
      'unknown-kid',
    );
    const expired = await sandbox.issueToken({ sub: 'alice', expiresIn: -60 });
    const response = await fetch(`${sandbox.url}/api/v1/reports`, { headers: { authorization: `Bearer ${expired}` } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toContain('expired');
    const foreign = await sandbox.issueToken({ sub: 'alice', extraClaims: { iss: 'https://other.example' } });
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/.well-known/jwks.json`));
    await expect(jwtVerify(foreign, jwks, { issuer: sandbox.issuer })).rejects.toThrow();
  });
});

describe('autoApprove', () => {
  it('redirects straight back with a code for the configured user, no page shown', async () => {
    const auto = await startSandbox({ port: 0, autoApprove: 'bob' });
    try {
      const client = await registerPublicClient(auto.url);
      const { verifier, challenge } = pkcePair();
      const response = await fetch(
        authorizeUrl(auto.url, {
          response_type: 'code',
          client_id: client.client_id,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          state: 'auto',
        }),
        { redirect: 'manual' },
      );
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.searchParams.get('state')).toBe('auto');
      const token = await tokenRequest(auto.url, {
        grant_type: 'authorization_code',
        code: location.searchParams.get('code') ?? '',
        client_id: client.client_id,
        code_verifier: verifier,
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const jwks = createRemoteJWKSet(new URL(`${auto.url}/.well-known/jwks.json`));
      expect((await jwtVerify(access_token, jwks)).payload.sub).toBe('bob');
    } finally {
      await auto.close();
    }
  });
});
