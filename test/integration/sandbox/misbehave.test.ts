/** Each authorization-server misbehaviour switch has the effect the doctor tests rely on. */

import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.js';
import { codeAuthorizeUrl, loginAs, register, registerPublicClient, tokenRequest } from './oauth-client.js';

let sandbox: Sandbox;
const resource = 'https://mcp.example.com/mcp';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterEach(() => {
  sandbox.misbehave.reset();
});
afterAll(async () => {
  await sandbox.close();
});

async function metadata(): Promise<Record<string, unknown>> {
  return (await (await fetch(`${sandbox.url}/.well-known/oauth-authorization-server`)).json()) as Record<
    string,
    unknown
  >;
}

async function authorizeRedirect(clientId: string, extra: Record<string, string>): Promise<URL> {
  const response = await fetch(
    codeAuthorizeUrl(sandbox.url, clientId, { redirect_uri: 'http://127.0.0.1:7777/callback', ...extra }),
    { redirect: 'manual' },
  );
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

describe('misbehaviour switches', () => {
  it('rejectResource: authorize and token answer invalid_target when resource is sent', async () => {
    const client = await registerPublicClient(sandbox.url);
    sandbox.misbehave.set({ rejectResource: true });
    const location = await authorizeRedirect(client.client_id, { resource });
    expect(location.searchParams.get('error')).toBe('invalid_target');
    const withoutResource = await fetch(codeAuthorizeUrl(sandbox.url, client.client_id), { redirect: 'manual' });
    expect(withoutResource.status).toBe(200);

    const confidential = (await (
      await register(sandbox.url, {
        redirect_uris: ['https://app.example.com/cb'],
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
      })
    ).json()) as { client_id: string; client_secret: string };
    const token = await tokenRequest(sandbox.url, {
      grant_type: 'client_credentials',
      client_id: confidential.client_id,
      client_secret: confidential.client_secret,
      resource,
    });
    expect(await token.json()).toMatchObject({ error: 'invalid_target' });
  });

  it('rejectChatgptRedirect: DCR and authorize refuse ChatGPT per-connector redirect URIs', async () => {
    const chatgpt = 'https://chatgpt.com/connector/oauth/abc123';
    const before = (await (
      await register(sandbox.url, { redirect_uris: [chatgpt], token_endpoint_auth_method: 'none' })
    ).json()) as {
      client_id: string;
    };
    sandbox.misbehave.set({ rejectChatgptRedirect: true });
    const refused = await register(sandbox.url, { redirect_uris: [chatgpt], token_endpoint_auth_method: 'none' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: 'invalid_redirect_uri',
      error_description: expect.stringContaining(chatgpt),
    });
    const authorize = await fetch(codeAuthorizeUrl(sandbox.url, before.client_id, { redirect_uri: chatgpt }), {
      redirect: 'manual',
    });
    expect(authorize.status).toBe(400);
    const claude = await register(sandbox.url, { redirect_uris: ['https://claude.ai/api/mcp/auth_callback'] });
    expect(claude.status).toBe(201);
  });

  it('scopesSupported: metadata advertises the override and authorize enforces it', async () => {
    const client = await registerPublicClient(sandbox.url);
    sandbox.misbehave.set({ scopesSupported: ['dcr.create'] });
    expect((await metadata()).scopes_supported).toEqual(['dcr.create']);
    const location = await authorizeRedirect(client.client_id, { scope: 'neonpanel.mcp' });
    expect(location.searchParams.get('error')).toBe('invalid_scope');
  });

  it('ignoreResourceInAud: tokens carry no aud even when resource was sent', async () => {
    const normal = await loginAs(sandbox.url, 'alice', { resource });
    expect(decodeJwt(normal.tokens.access_token).aud).toBe(resource);
    sandbox.misbehave.set({ ignoreResourceInAud: true });
    const broken = await loginAs(sandbox.url, 'alice', { resource });
    expect(decodeJwt(broken.tokens.access_token).aud).toBeUndefined();
  });

  it('metadataIssuer: the metadata claims another issuer', async () => {
    sandbox.misbehave.set({ metadataIssuer: 'https://my.neonpanel.com/' });
    expect((await metadata()).issuer).toBe('https://my.neonpanel.com/');
    sandbox.misbehave.reset();
    expect((await metadata()).issuer).toBe(sandbox.issuer);
  });

  it('jwksDown: the JWKS answers 503', async () => {
    sandbox.misbehave.set({ jwksDown: true });
    expect((await fetch(`${sandbox.url}/.well-known/jwks.json`)).status).toBe(503);
  });

  it('corsOff: no CORS headers and no preflight answer', async () => {
    const preflight = () =>
      fetch(`${sandbox.url}/oauth2/register`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST' },
      });
    expect((await preflight()).headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    sandbox.misbehave.set({ corsOff: true });
    const off = await preflight();
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
    expect(off.status).not.toBe(204);
  });
});

describe('control endpoint', () => {
  it('POST /__sandbox/misbehave merges switches, DELETE resets, bad switches are 400', async () => {
    const set = await fetch(`${sandbox.url}/__sandbox/misbehave`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwksDown: true, scopesSupported: ['dcr.create'] }),
    });
    expect(await set.json()).toEqual({ jwksDown: true, scopesSupported: ['dcr.create'] });
    expect((await fetch(`${sandbox.url}/.well-known/jwks.json`)).status).toBe(503);
    expect((await fetch(`${sandbox.url}/__sandbox/misbehave`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${sandbox.url}/.well-known/jwks.json`)).status).toBe(200);
    const bad = await fetch(`${sandbox.url}/__sandbox/misbehave`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwksDwn: true }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('jwksDwn');
  });
});
