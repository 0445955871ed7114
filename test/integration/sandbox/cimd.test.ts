/**
 * Client ID Metadata Documents at the sandbox's authorization server (draft-ietf-oauth-client-id-metadata-
 * document, MCP 2026-07-28): the client's `client_id` is the URL of its metadata, served here by a loopback
 * document server; the sandbox fetches it under guards (scheme, address, size, time, redirects, caching)
 * and refuses a document that does not describe the client asking. Real HTTP throughout.
 */

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SignJWT, createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressProblem, type GuardedFetchOptions } from '../../../sandbox/as/cimd-fetch.js';
import { freshnessSeconds } from '../../../sandbox/as/cimd.js';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';
import { createTestPki, type TestPki } from '../../helpers/certs.js';
import { type DocumentServer, startDocumentServer } from '../../helpers/document-server.js';
import { watchOutput } from '../../helpers/output.js';
import { approveAs, authorizeUrl, pkcePair, tokenRequest } from './oauth-client.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const LIMITS = { maxBytes: 2048, timeoutMs: 1000 };

let sandbox: Sandbox;
let docs: DocumentServer;
let counter = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ cimd: { allowLoopback: true, ...LIMITS } });
  docs = await startDocumentServer();
});
afterAll(async () => {
  await sandbox?.close();
  await docs?.close();
});

/** A fresh document path, so no test sees another's cache. */
function nextPath(): string {
  counter += 1;
  return `/clients/app-${counter}.json`;
}

/** A public client's document at a new path on `server`; `fields` override or (undefined) remove fields. */
function publicClient(
  fields: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  server: DocumentServer = docs,
) {
  const path = nextPath();
  const clientId = `${server.url}${path}`;
  const document: Record<string, unknown> = {
    client_id: clientId,
    client_name: 'CIMD Test App',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    ...fields,
  };
  for (const [name, value] of Object.entries(fields)) if (value === undefined) delete document[name];
  server.serve(path, { body: document, headers });
  return { clientId, path };
}

function authorizeParams(clientId: string, extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: 'http://127.0.0.1:5555/callback',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: 'st',
    ...extra,
  };
}

/** GET /oauth2/authorize for `clientId` without following redirects. */
function authorize(clientId: string, extra: Record<string, string> = {}, on: Sandbox = sandbox, accept?: string) {
  return fetch(authorizeUrl(on.url, authorizeParams(clientId, extra)), {
    redirect: 'manual',
    headers: accept ? { accept } : {},
  });
}

/** The JSON error of a refused authorization request (400, never a redirect). */
async function refused(response: Response): Promise<{ error: string; error_description: string }> {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  return (await response.json()) as { error: string; error_description: string };
}

describe('advertising', () => {
  it('advertises client_id_metadata_document_supported with none among the auth methods, only when on', async () => {
    const on = (await (await fetch(`${sandbox.url}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(on.client_id_metadata_document_supported).toBe(true);
    expect(on.token_endpoint_auth_methods_supported).toContain('none');
    const plain = await startSandbox();
    try {
      const off = (await (await fetch(`${plain.url}/.well-known/oauth-authorization-server`)).json()) as Record<
        string,
        unknown
      >;
      expect(off).not.toHaveProperty('client_id_metadata_document_supported');
      // With CIMD off, a URL client_id is an unknown client, and the answer says why.
      const { clientId } = publicClient();
      const body = await refused(await authorize(clientId, {}, plain));
      expect(body).toEqual({
        error: 'invalid_request',
        error_description: `unknown client_id "${clientId}"; this server does not accept client ID metadata documents (CIMD is off); register the client first`,
      });
    } finally {
      await plain.close();
    }
  });
});

describe('a public client (token_endpoint_auth_method none)', () => {
  it('logs in with no registration: consent names the client and its site, tokens name the URL as client_id', async () => {
    const { clientId } = publicClient();
    const { verifier, challenge } = pkcePair();
    const params = authorizeParams(clientId, { code_challenge: challenge });
    const page = await (await fetch(authorizeUrl(sandbox.url, params))).text();
    expect(page).toContain('<strong>CIMD Test App</strong> asks to use your NeonPanel data');
    expect(page).toContain(`continue only if you trust <strong>${new URL(docs.url).host}</strong>`);

    // Registered as http://127.0.0.1/callback; a loopback redirect matches on any port (RFC 8252 §7.3).
    const location = await approveAs(authorizeUrl(sandbox.url, params), 'alice');
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:5555/callback');
    const code = location.searchParams.get('code') ?? '';
    const answer = await tokenRequest(sandbox.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: params.redirect_uri,
      code_verifier: verifier,
      client_id: clientId,
    });
    expect(answer.status).toBe(200);
    const tokens = (await answer.json()) as { access_token: string; refresh_token: string; scope: string };
    expect(tokens.scope).toBe('openid');
    const jwks = createRemoteJWKSet(new URL(`${sandbox.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: sandbox.issuer });
    expect(payload).toMatchObject({ sub: 'alice', client_id: clientId, scope: 'openid' });

    const refreshed = await tokenRequest(sandbox.url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
    });
    expect(refreshed.status).toBe(200);
  });

  it('refuses a client secret at the token endpoint: the document allows none only', async () => {
    const { clientId } = publicClient();
    const response = await tokenRequest(sandbox.url, {
      grant_type: 'refresh_token',
      refresh_token: 'rt_x',
      client_id: clientId,
      client_secret: 'guessed',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'invalid_client',
      error_description: `the metadata document of client "${clientId}" declares none, so it cannot authenticate with a client secret`,
    });
  });
});

describe('documents that do not describe the client asking', () => {
  it.each([
    [
      'a client_id other than its URL',
      { client_id: 'https://other.example/client.json' },
      'its client_id "https://other.example/client.json" differs from the URL it was fetched from',
    ],
    ['no client_id', { client_id: undefined }, 'its client_id null differs from the URL it was fetched from'],
    [
      'a shared-secret auth method',
      { token_endpoint_auth_method: 'client_secret_basic' },
      'token_endpoint_auth_method must be "none" or "private_key_jwt" (a document cannot use a shared secret); it declares "client_secret_basic"',
    ],
    [
      'no auth method (RFC 7591 default client_secret_basic)',
      { token_endpoint_auth_method: undefined },
      'it declares nothing, which means client_secret_basic',
    ],
    ['a client_secret', { client_secret: 's3cret' }, 'it must not contain client_secret (a document is public)'],
    ['no redirect_uris', { redirect_uris: undefined }, 'redirect_uris is required for the authorization_code grant'],
    [
      'a redirect URI over http to another host',
      { redirect_uris: ['http://example.com/cb'] },
      'uses http on a non-loopback host',
    ],
    [
      'private_key_jwt without keys',
      { token_endpoint_auth_method: 'private_key_jwt' },
      'private_key_jwt needs jwks or jwks_uri',
    ],
  ])('refuses %s with invalid_client naming it', async (_name, fields, reason) => {
    const { clientId } = publicClient(fields);
    // The document's own client_id does not matter for the URL asked for: the sandbox fetches that URL.
    const body = await refused(await authorize(clientId));
    expect(body.error).toBe('invalid_client');
    expect(body.error_description.startsWith(`client metadata document ${clientId}: `)).toBe(true);
    expect(body.error_description).toContain(reason);
  });

  it('refuses a redirect_uri the document does not list with invalid_request, without redirecting', async () => {
    const { clientId } = publicClient();
    const body = await refused(await authorize(clientId, { redirect_uri: 'https://evil.example/callback' }));
    expect(body).toEqual({
      error: 'invalid_request',
      error_description: `redirect_uri "https://evil.example/callback" is not listed in the client's metadata document`,
    });
    // Another path on loopback is not the listed URI either (only the port may differ).
    const other = await refused(await authorize(clientId, { redirect_uri: 'http://127.0.0.1:5555/elsewhere' }));
    expect(other.error).toBe('invalid_request');
  });

  it('shows the refusal on a page when a browser asks, since there is no trusted redirect', async () => {
    const { clientId } = publicClient({ client_id: 'https://other.example/client.json' });
    const response = await authorize(clientId, {}, sandbox, 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('<code id="error">invalid_client</code>');
    expect(html).toContain('differs from the URL it was fetched from');
  });
});

describe('fetch guards', () => {
  async function refusalOf(clientId: string, on: Sandbox = sandbox): Promise<string> {
    const body = await refused(await authorize(clientId, {}, on));
    expect(body.error).toBe('invalid_client');
    return body.error_description;
  }

  it.each([
    ['http://example.com/client.json', 'it must use https'],
    ['ftp://example.com/client.json', 'it must use https, not ftp'],
    ['https://example.com', 'it must have a path (not just the origin)'],
    ['https://example.com/', 'it must have a path (not just the origin)'],
    ['https://example.com/a/../client.json', 'it must not contain "." or ".." path segments'],
    ['https://example.com/./client.json', 'it must not contain "." or ".." path segments'],
    ['https://example.com/client.json#frag', 'it must not contain a fragment'],
    ['https://user:pw@example.com/client.json', 'it must not contain a user name or password'],
    ['https://10.1.2.3/client.json', '10.1.2.3 is a private, link-local or reserved address'],
    ['https://192.168.0.10/client.json', '192.168.0.10 is a private, link-local or reserved address'],
    ['https://169.254.169.254/latest/meta-data', '169.254.169.254 is a private, link-local or reserved address'],
    ['https://[fe80::1]/client.json', 'fe80::1 is a private, link-local or reserved address'],
    ['https://[::ffff:10.0.0.1]/client.json', 'is a private, link-local or reserved address'],
  ])('refuses %s before fetching: %s', async (clientId, reason) => {
    expect(await refusalOf(clientId)).toContain(reason);
  });

  it('refuses loopback documents unless allowed, by address literal, by name (after DNS) and over http', async () => {
    const strict = await startSandbox({ cimd: LIMITS });
    try {
      const port = new URL(docs.url).port;
      const { path } = publicClient();
      expect(await refusalOf(`https://127.0.0.1:${port}${path}`, strict)).toContain('127.0.0.1 is a loopback address');
      expect(await refusalOf(`https://localhost:${port}${path}`, strict)).toMatch(
        /localhost resolves to (127\.0\.0\.1|::1) is a loopback address/,
      );
      expect(await refusalOf(`http://127.0.0.1:${port}${path}`, strict)).toContain(
        'plain http is allowed only to loopback, and that is off',
      );
      expect(docs.requests(path)).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('does not follow a redirect, and never requests its target', async () => {
    const target = publicClient();
    const path = nextPath();
    docs.serve(path, { status: 302, headers: { location: target.clientId }, body: '' });
    const reason = await refusalOf(`${docs.url}${path}`);
    expect(reason).toContain(`answered 302 (a redirect to ${target.clientId}); redirects are not followed`);
    expect(docs.requests(target.path)).toBe(0);
  });

  it('refuses a document over the size limit, declared or streamed', async () => {
    const big = publicClient({ client_name: 'x'.repeat(LIMITS.maxBytes) });
    expect(await refusalOf(big.clientId)).toContain(`is larger than ${LIMITS.maxBytes} bytes`);
    const path = nextPath();
    // No Content-Length (chunked): the limit holds while reading.
    docs.serve(path, { body: 'x'.repeat(LIMITS.maxBytes * 2), headers: { 'transfer-encoding': 'chunked' } });
    expect(await refusalOf(`${docs.url}${path}`)).toContain(`is larger than ${LIMITS.maxBytes} bytes`);
  });

  it('gives up on a slow document after the time limit', async () => {
    const path = nextPath();
    docs.serve(path, { body: {}, delayMs: LIMITS.timeoutMs * 3 });
    const started = Date.now();
    expect(await refusalOf(`${docs.url}${path}`)).toContain(`did not answer within ${LIMITS.timeoutMs} ms`);
    expect(Date.now() - started).toBeLessThan(LIMITS.timeoutMs * 2.5);
  });

  it('refuses an error status, a document that is not JSON, and one served as another type', async () => {
    expect(await refusalOf(`${docs.url}/clients/missing.json`)).toContain('answered HTTP 404, expected 200');
    const broken = nextPath();
    docs.serve(broken, { body: '{"client_id": ' });
    expect(await refusalOf(`${docs.url}${broken}`)).toContain('it is not valid JSON');
    const html = nextPath();
    docs.serve(html, { body: '<html></html>', headers: { 'content-type': 'text/html' } });
    expect(await refusalOf(`${docs.url}${html}`)).toContain('it is served as text/html, expected application/json');
    const list = nextPath();
    docs.serve(list, { body: [] });
    expect(await refusalOf(`${docs.url}${list}`)).toContain('it is not a JSON object');
  });

  it('fetches over https, trusting only the system CAs and the one it is given', async () => {
    let pki: TestPki | undefined;
    let secure: DocumentServer | undefined;
    let trusting: Sandbox | undefined;
    try {
      pki = await createTestPki();
      secure = await startDocumentServer(await pki.leaf());
      const { clientId } = publicClient({}, {}, secure);
      expect(clientId.startsWith('https://localhost:')).toBe(true);
      expect(await refusalOf(clientId)).toMatch(/fetching https:\/\/localhost:\d+\/\S+ failed: .*certificate/);
      trusting = await startSandbox({ cimd: { allowLoopback: true, ca: pki.root } });
      expect((await authorize(clientId, {}, trusting)).status).toBe(200);
    } finally {
      await trusting?.close();
      await secure?.close();
      await pki?.remove();
    }
  });

  it('classifies addresses: loopback and private ranges per switch, public ones always allowed', () => {
    const options: GuardedFetchOptions = { allowLoopback: false, allowPrivateAddresses: false, ...LIMITS };
    for (const address of ['127.0.0.1', '127.8.9.10', '::1']) {
      expect(addressProblem(address, options)).toContain('loopback');
      expect(addressProblem(address, { ...options, allowLoopback: true })).toBeUndefined();
    }
    for (const address of [
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      'fc00::1',
      'fd12::1',
      'fe80::1',
      '::ffff:192.168.1.1',
      '224.0.0.1',
    ]) {
      expect(addressProblem(address, options), address).toContain('private, link-local or reserved');
      expect(addressProblem(address, { ...options, allowPrivateAddresses: true }), address).toBeUndefined();
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '172.32.0.1']) {
      expect(addressProblem(address, options), address).toBeUndefined();
    }
  });
});

describe('caching', () => {
  /** Starts an authorization for `clientId` (the document is fetched or taken from the cache). */
  async function use(clientId: string): Promise<void> {
    expect((await authorize(clientId)).status).toBe(200);
  }

  it('reuses a document for its max-age', async () => {
    const { clientId, path } = publicClient({}, { 'cache-control': 'public, max-age=60' });
    await use(clientId);
    await use(clientId);
    expect(docs.requests(path)).toBe(1);
  });

  it.each([
    ['no-store', { 'cache-control': 'no-store' }],
    ['no-cache', { 'cache-control': 'no-cache' }],
    ['max-age=0', { 'cache-control': 'max-age=0' }],
    ['an Expires in the past', { expires: new Date(Date.now() - 60_000).toUTCString() }],
  ])('fetches again when the answer says %s', async (_name, headers) => {
    const { clientId, path } = publicClient({}, headers);
    await use(clientId);
    await use(clientId);
    expect(docs.requests(path)).toBe(2);
  });

  it('shares one fetch between requests that name the same document at once', async () => {
    const path = nextPath();
    const clientId = `${docs.url}${path}`;
    docs.serve(path, {
      body: {
        client_id: clientId,
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'none',
      },
      headers: { 'cache-control': 'no-store' },
      delayMs: 200,
    });
    const answers = await Promise.all([authorize(clientId), authorize(clientId), authorize(clientId)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(docs.requests(path)).toBe(1);
  });

  it('honours a future Expires, and caps any freshness at maxCacheSeconds', async () => {
    const { clientId, path } = publicClient({}, { expires: new Date(Date.now() + 3_600_000).toUTCString() });
    await use(clientId);
    await use(clientId);
    expect(docs.requests(path)).toBe(1);

    const capped = await startSandbox({ cimd: { allowLoopback: true, maxCacheSeconds: 1 } });
    try {
      const year = publicClient({}, { 'cache-control': 'max-age=31536000' });
      const twice = () => authorize(year.clientId, {}, capped).then((response) => expect(response.status).toBe(200));
      await twice();
      await twice();
      expect(docs.requests(year.path)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await twice();
      expect(docs.requests(year.path)).toBe(2);
    } finally {
      await capped.close();
    }
  });

  it('reads freshness from Cache-Control before Expires, with a default when neither is sent', () => {
    expect(freshnessSeconds({ 'cache-control': 'max-age=120', expires: 'Thu, 01 Jan 1970 00:00:00 GMT' }, 86_400)).toBe(
      120,
    );
    expect(freshnessSeconds({ 'cache-control': 'private, max-age=30, must-revalidate' }, 86_400)).toBe(30);
    expect(freshnessSeconds({ 'cache-control': 'no-store, max-age=30' }, 86_400)).toBe(0);
    expect(freshnessSeconds({ expires: 'not a date' }, 86_400)).toBe(0);
    expect(freshnessSeconds({}, 86_400)).toBe(300);
    expect(freshnessSeconds({ 'cache-control': 'max-age=999999' }, 60)).toBe(60);
  });
});

describe('a confidential client (private_key_jwt with the document’s jwks_uri)', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let jwksUrl: string;

  beforeAll(async () => {
    keys = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'doc-key', alg: 'ES256', use: 'sig' };
    jwksUrl = docs.serve('/keys/jwks.json', { body: { keys: [jwk] } });
  });

  function signedClient(fields: Record<string, unknown> = {}) {
    return publicClient({
      grant_types: ['client_credentials'],
      redirect_uris: undefined,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: jwksUrl,
      ...fields,
    });
  }

  const assertion = (clientId: string) =>
    new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'doc-key' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(`${sandbox.url}/oauth2/token`)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(keys.privateKey);

  async function tokenFor(clientId: string): Promise<Response> {
    return tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(clientId),
    });
  }

  it('gets a token with an assertion checked against the keys at the document’s jwks_uri', async () => {
    const { clientId } = signedClient();
    const response = await tokenFor(clientId);
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ sub: clientId, client_id: clientId, scope: 'openid' });
  });

  it('refuses an assertion from a client whose document declares none, and a document that cannot be used', async () => {
    const { clientId } = publicClient();
    const declaredNone = await tokenFor(clientId);
    expect(declaredNone.status).toBe(401);
    expect(await declaredNone.json()).toEqual({
      error: 'invalid_client',
      error_description: `the metadata document of client "${clientId}" declares none, not private_key_jwt`,
    });
    const mismatched = signedClient({ client_id: 'https://other.example/c.json' });
    const refused = await tokenFor(mismatched.clientId);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringContaining('differs from the URL it was fetched from'),
    });
  });

  it('fetches the jwks_uri under the same guards as the document', async () => {
    const { clientId } = signedClient({ jwks_uri: 'https://10.9.9.9/jwks.json' });
    const response = await tokenFor(clientId);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'invalid_client',
      error_description: expect.stringContaining('10.9.9.9 is a private, link-local or reserved address'),
    });
  });
});

describe('npm run sandbox (sandbox/main.ts)', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const start = (env: Record<string, string>) =>
    spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
      cwd: root,
      env: { ...process.env, SANDBOX_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('SANDBOX_CIMD=true turns CIMD on: printed, advertised, and a loopback document accepted with the loopback switch', async () => {
    const child = start({ SANDBOX_CIMD: 'true', SANDBOX_CIMD_ALLOW_LOOPBACK: 'true' });
    try {
      const output = await watchOutput(child.stdout).until(
        (text) => (text.includes('Ctrl-C') ? text : undefined),
        20_000,
        'the sandbox did not start',
      );
      expect(output).toContain('client metadata docs accepted (SANDBOX_CIMD=true, loopback documents allowed)');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
      const metadata = (await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json()) as Record<
        string,
        unknown
      >;
      expect(metadata.client_id_metadata_document_supported).toBe(true);
      const { clientId } = publicClient();
      const response = await fetch(authorizeUrl(url, authorizeParams(clientId)), { redirect: 'manual' });
      expect(response.status).toBe(200);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a SANDBOX_CIMD that is not true or false, naming it', async () => {
    const child = start({ SANDBOX_CIMD: 'yes' });
    const stderr = watchOutput(child.stderr);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr.text()).toContain('SANDBOX_CIMD must be true or false, got "yes"');
  });
});
