import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serve, testContext } from '../../../test/helpers/doctor-context.js';
import { checkRegistration } from './register.js';

let issuer: Awaited<ReturnType<typeof serve>>;
let refuseSlash = false;

/** An issuer with open registration whose /authorize refuses a trailing-slash resource when told to. */
beforeAll(async () => {
  issuer = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/register') {
      sendJson(res, 201, { client_id: 'c1' });
      return;
    }
    if (url.pathname === '/authorize') {
      const resource = url.searchParams.get('resource') ?? '';
      if (refuseSlash && resource.endsWith('/')) {
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.searchParams.set('error', 'invalid_target');
        res.writeHead(302, { location: back.href }).end();
      } else res.writeHead(200, { 'content-type': 'text/html' }).end('<form>login</form>');
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  });
});
afterAll(() => issuer.close());

async function run(clients: string[]) {
  const ctx = testContext('https://mcp.example.com/mcp', clients, {
    asMetadata: { registration_endpoint: `${issuer.url}/register`, authorization_endpoint: `${issuer.url}/authorize` },
  });
  return Object.fromEntries((await checkRegistration(ctx)).map((r) => [r.id, r]));
}

describe('checkRegistration: trailing slash on resource', () => {
  it('passes when the issuer accepts resource with a trailing slash', async () => {
    refuseSlash = false;
    const results = await run(['claude-code']);
    expect(results['authorize.slash.claude-code']).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('resource=https://mcp.example.com/mcp/ accepted'),
    });
  });

  it('warns when the issuer refuses it, for Claude Code only', async () => {
    refuseSlash = true;
    const results = await run(['claude-code', 'chatgpt']);
    expect(results['authorize.claude-code']?.status).toBe('pass');
    expect(results['authorize.slash.claude-code']).toMatchObject({
      status: 'warn',
      detail: 'resource=https://mcp.example.com/mcp/ refused: invalid_target.',
      fix: expect.stringContaining('claude-code#52871'),
    });
    expect(results['authorize.slash.chatgpt']).toBeUndefined();
  });
});
