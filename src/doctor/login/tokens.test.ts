import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serve, testContext } from '../../../test/helpers/doctor-context.js';
import type { Discovered, LoginClient } from './oauth.js';
import { exchangeCode, refresh } from './tokens.js';

const CLIENT: LoginClient = { clientId: 'c1', via: 'registration' };
const REQUEST = { url: 'http://unused/authorize', verifier: 'verifier-secret', state: 'state-secret' };
const LEAKED = 'rt-from-a-bad-200';

/** The token endpoint's answer to the next request, and the forms it was sent. */
let answer: { status: number; body: unknown };
const forms: URLSearchParams[] = [];
let issuer: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  issuer = await serve((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    req.on('end', () => {
      forms.push(new URLSearchParams(raw));
      sendJson(res, answer.status, answer.body);
    });
  });
});
afterAll(() => issuer.close());

const context = () => testContext(issuer.url, ['claude']);

function found(): Discovered {
  return {
    resource: 'https://bridge.example/mcp',
    issuer: issuer.url,
    scope: undefined,
    authorizationEndpoint: `${issuer.url}/authorize`,
    tokenEndpoint: `${issuer.url}/token`,
    metadata: {},
  };
}

describe('doctor --login token requests', () => {
  it('exchanges the code with the verifier and resource, and shows no token or verifier', async () => {
    answer = { status: 200, body: { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 60 } };
    const step = await exchangeCode(context(), found(), CLIENT, 'code-1', REQUEST, 'http://127.0.0.1:9/cb');
    expect(step.result.status).toBe('pass');
    expect(step.value).toEqual({ access: 'at-1', refresh: 'rt-1', expiresIn: 60 });
    expect(Object.fromEntries(forms.at(-1)!)).toMatchObject({
      grant_type: 'authorization_code',
      code: 'code-1',
      code_verifier: 'verifier-secret',
      resource: 'https://bridge.example/mcp',
    });
    const shown = JSON.stringify(step.result);
    for (const secret of ['at-1', 'rt-1', 'code-1', 'verifier-secret']) expect(shown).not.toContain(secret);
    // In double quotes, so that pasting the line expands the variables.
    expect(step.result.curl).toMatch(/--data "[^"]*code=\$CODE&[^"]*code_verifier=\$VERIFIER&/);
  });

  it('fails with the issuer’s OAuth error', async () => {
    answer = { status: 400, body: { error: 'invalid_grant', error_description: 'code expired' } };
    const step = await exchangeCode(context(), found(), CLIENT, 'code-2', REQUEST, 'http://127.0.0.1:9/cb');
    expect(step.result).toMatchObject({ status: 'fail', detail: 'HTTP 400 invalid_grant: code expired' });
    expect(step.value).toBeUndefined();
  });

  it('does not quote a 200 without an access token: its body may hold other tokens', async () => {
    answer = { status: 200, body: { refresh_token: LEAKED } };
    const tokens = { access: 'at-1', refresh: 'rt-1', expiresIn: undefined };
    const step = await refresh(context(), found(), CLIENT, tokens);
    expect(step.result).toMatchObject({ status: 'fail', detail: 'HTTP 200 without an access_token.' });
    expect(JSON.stringify(step.result)).not.toContain(LEAKED);
    expect(JSON.stringify(step.result)).not.toContain('rt-1');
  });

  it('keeps the old refresh token when the issuer does not rotate it', async () => {
    answer = { status: 200, body: { access_token: 'at-2' } };
    const step = await refresh(context(), found(), CLIENT, { access: 'at-1', refresh: 'rt-1', expiresIn: undefined });
    expect(step.result.status).toBe('pass');
    expect(step.value).toEqual({ access: 'at-2', refresh: 'rt-1', expiresIn: undefined });
    expect(Object.fromEntries(forms.at(-1)!)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
  });
});
