/**
 * What a client sees over HTTP when it sends a bad token: every kind gets 401 (403 for a missing
 * scope) with a challenge naming the right metadata and an error_description that says what was
 * wrong; never a 2xx or 5xx, and never the token echoed back or logged.
 */
import { SignJWT, base64url, exportSPKI, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestIssuer, startTestIssuer } from './issuer.js';
import { PUBLIC_URL, type ProtectedApp, startProtectedApp } from './protected-app.js';
import { rawRequest } from './raw-http.js';

const MCP_METADATA = `${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp`;

let issuer: TestIssuer;
let app: ProtectedApp;
let audienceApp: ProtectedApp;
let scopedApp: ProtectedApp;
const tokensUsed: string[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  // Two keys published from the start, so a token without `kid` is ambiguous.
  await issuer.keys.rotate();
  app = await startProtectedApp(issuer.issuer);
  audienceApp = await startProtectedApp(issuer.issuer, { MCP_AUDIENCE: `${PUBLIC_URL}/mcp` });
  scopedApp = await startProtectedApp(issuer.issuer, { MCP_SCOPES: 'neonpanel.mcp,neonpanel.write' });
});

afterAll(async () => {
  await Promise.all([app?.close(), audienceApp?.close(), scopedApp?.close()]);
  await issuer?.close();
});

async function token(options: Parameters<TestIssuer['issueToken']>[0]): Promise<string> {
  const t = await issuer.issueToken(options);
  tokensUsed.push(t);
  return t;
}

function parts(jwt: string): [string, string, string] {
  const [h, p, s] = jwt.split('.');
  return [h ?? '', p ?? '', s ?? ''];
}

interface Attempt {
  headers?: Record<string, string>;
  path?: string;
  body?: string;
  target?: () => ProtectedApp;
}

async function send(attempt: Attempt): Promise<Response> {
  const target = (attempt.target ?? (() => app))();
  return fetch(`${target.url}${attempt.path ?? '/mcp'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...attempt.headers },
    body: attempt.body ?? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const cases: { name: string; attempt: () => Promise<Attempt>; error: string; description: RegExp }[] = [
  {
    name: 'expired',
    attempt: async () => ({ headers: bearer(await token({ sub: 'alice', expiresIn: -600 })) }),
    error: 'invalid_token',
    description: /^expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  },
  {
    name: 'not yet valid',
    attempt: async () => ({ headers: bearer(await token({ sub: 'alice', notBefore: 600 })) }),
    error: 'invalid_token',
    description: /^not valid before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  },
  {
    name: 'wrong issuer',
    attempt: async () => ({
      headers: bearer(await token({ sub: 'alice', extraClaims: { iss: 'https://evil.example' } })),
    }),
    error: 'invalid_token',
    description: /^issuer https:\/\/evil\.example, expected http:\/\/127\.0\.0\.1:\d+$/,
  },
  {
    name: 'unknown kid',
    attempt: async () => ({ headers: bearer(await token({ sub: 'alice', kid: 'no-such-key' })) }),
    error: 'invalid_token',
    description: /^unknown key id no-such-key$/,
  },
  {
    name: 'no kid while the JWKS has several keys',
    attempt: async () => ({ headers: bearer(await token({ sub: 'alice', kid: null })) }),
    error: 'invalid_token',
    description: /^the token has no key id \(kid\) and the issuer publishes 2 keys for RS256/,
  },
  {
    name: 'alg none',
    attempt: async () => {
      const [, payload] = parts(await token({ sub: 'alice' }));
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      return { headers: bearer(`${header}.${payload}.`) };
    },
    error: 'invalid_token',
    description: /^algorithm none not allowed \(allowed: RS256\)$/,
  },
  {
    name: 'HS256 signed with the public key',
    attempt: async () => {
      const jwks = (await (await fetch(`${issuer.issuer}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      const jwk = jwks.keys.at(-1)!;
      const pem = await exportSPKI(
        (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256', { extractable: true })) as never,
      );
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ iss: issuer.issuer, sub: 'alice', iat: now, exp: now + 600 })
        .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
        .sign(new TextEncoder().encode(pem));
      return { headers: bearer(forged) };
    },
    error: 'invalid_token',
    description: /^algorithm HS256 not allowed \(allowed: RS256\)$/,
  },
  {
    name: 'tampered payload',
    attempt: async () => {
      const [h, p, s] = parts(await token({ sub: 'alice' }));
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
      const tampered = base64url.encode(JSON.stringify({ ...claims, sub: 'bob' }));
      return { headers: bearer(`${h}.${tampered}.${s}`) };
    },
    error: 'invalid_token',
    description: /^signature does not verify with the issuer's key /,
  },
  {
    name: 'tampered signature',
    attempt: async () => {
      const [h, p, s] = parts(await token({ sub: 'alice' }));
      const flipped = `${s.slice(0, 20)}${s[20] === 'A' ? 'B' : 'A'}${s.slice(21)}`;
      return { headers: bearer(`${h}.${p}.${flipped}`) };
    },
    error: 'invalid_token',
    description: /^signature does not verify with the issuer's key /,
  },
  {
    name: 'wrong audience (MCP_AUDIENCE set)',
    attempt: async () => ({
      headers: bearer(await token({ sub: 'alice', aud: 'https://other.example/mcp' })),
      target: () => audienceApp,
    }),
    error: 'invalid_token',
    description: /^audience https:\/\/other\.example\/mcp, expected one of https:\/\/mcp\.example\.test\/mcp$/,
  },
  {
    name: 'missing sub',
    attempt: async () => ({ headers: bearer(await token({ sub: 'alice', extraClaims: { sub: undefined } })) }),
    error: 'invalid_token',
    description: /^missing required claim sub$/,
  },
  {
    name: 'missing exp',
    attempt: async () => ({ headers: bearer(await token({ sub: 'alice', extraClaims: { exp: undefined } })) }),
    error: 'invalid_token',
    description: /^missing required claim exp$/,
  },
  {
    name: 'garbage',
    attempt: async () => ({ headers: bearer('this-is-not-a-jwt') }),
    error: 'invalid_token',
    description: /^not a JWT: expected three base64url parts separated by dots$/,
  },
  {
    name: 'garbage with JWT shape',
    attempt: async () => ({ headers: bearer('abc.def.ghi') }),
    error: 'invalid_token',
    description: /^not a JWT: the header is not base64url-encoded JSON$/,
  },
  {
    name: 'empty',
    attempt: async () => ({ headers: { authorization: 'Bearer ' } }),
    error: 'invalid_token',
    description: /^the Authorization header says Bearer but carries no token$/,
  },
  {
    name: 'two tokens in one header',
    attempt: async () => ({
      headers: { authorization: `Bearer ${await token({ sub: 'alice' })}, Bearer ${await token({ sub: 'bob' })}` },
    }),
    error: 'invalid_request',
    description: /^the Authorization header carries two Bearer tokens; send exactly one$/,
  },
  {
    name: 'token in the header and the query',
    attempt: async () => {
      const t = await token({ sub: 'alice' });
      return { headers: bearer(t), path: `/mcp?access_token=${t}` };
    },
    error: 'invalid_request',
    description:
      /^a token was sent in the Authorization header and in the query parameter access_token; send it only in the header$/,
  },
  {
    name: 'token in query only',
    attempt: async () => ({ path: `/mcp?access_token=${await token({ sub: 'alice' })}` }),
    error: 'invalid_request',
    description: /^the token was sent in the query parameter access_token; send it in the Authorization header instead/,
  },
  {
    name: 'token in query as ?token=',
    attempt: async () => ({ path: `/mcp?token=${await token({ sub: 'alice' })}` }),
    error: 'invalid_request',
    description: /^the token was sent in the query parameter token; send it in the Authorization header/,
  },
  {
    name: 'token in a form body',
    attempt: async () => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${await token({ sub: 'alice' })}`,
    }),
    error: 'invalid_request',
    description: /^the token was sent in the body field access_token; send it in the Authorization header/,
  },
  {
    name: 'Basic scheme',
    attempt: async () => ({ headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } }),
    error: 'invalid_request',
    description: /^the Authorization header scheme Basic is not supported; send Authorization: Bearer <token>$/,
  },
  {
    name: 'token without the Bearer prefix',
    attempt: async () => ({ headers: { authorization: await token({ sub: 'alice' }) } }),
    error: 'invalid_request',
    description: /^the Authorization header has no Bearer prefix; send Authorization: Bearer <token>$/,
  },
];

function challengeParams(header: string | null): Record<string, string> {
  expect(header).toMatch(/^Bearer /);
  const params: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/(\w+)="([^"]*)"/g)) params[m[1] as string] = m[2] as string;
  return params;
}

describe('bad tokens over HTTP', () => {
  it.each(cases)('$name → 401 with the reason', async ({ attempt, error, description }) => {
    const res = await send(await attempt());
    expect(res.status).toBe(401);
    const params = challengeParams(res.headers.get('www-authenticate'));
    expect(params['resource_metadata']).toBe(MCP_METADATA);
    expect(params['error']).toBe(error);
    expect(params['error_description']).toMatch(description);
    const body = (await res.json()) as Record<string, string>;
    expect(body['error']).toBe(error);
    expect(body['error_description']).toMatch(description);
    expect(body['resource_metadata']).toBe(MCP_METADATA);
    expect(body['hint']).toBeTruthy();
    const answer = `${res.headers.get('www-authenticate')} ${JSON.stringify(body)}`;
    for (const t of tokensUsed) expect(answer).not.toContain(parts(t)[2] || t);
  });

  it('two Authorization header lines → 401 multiple_tokens', async () => {
    const a = await token({ sub: 'alice' });
    const res = await rawRequest(`${app.url}/mcp`, 'POST', [
      'Authorization',
      `Bearer ${a}`,
      'Authorization',
      `Bearer ${a}`,
      'Content-Type',
      'application/json',
    ]);
    expect(res.status).toBe(401);
    const params = challengeParams(String(res.headers['www-authenticate']));
    expect(params['error_description']).toBe('2 Authorization headers were sent; send exactly one');
  });

  it('a token without a required scope → 403 insufficient_scope naming the scope', async () => {
    const res = await send({
      headers: bearer(await token({ sub: 'alice', scope: 'neonpanel.mcp' })),
      target: () => scopedApp,
    });
    expect(res.status).toBe(403);
    const params = challengeParams(res.headers.get('www-authenticate'));
    expect(params['error']).toBe('insufficient_scope');
    expect(params['scope']).toBe('neonpanel.mcp neonpanel.write');
    expect(params['error_description']).toBe('the token lacks scope neonpanel.write (it has: neonpanel.mcp)');
  });

  it('a token signed by a stranger under a published kid → bad signature', async () => {
    const { generateKeyPair } = await import('jose');
    const stranger = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const kid = issuer.keys.kids.at(-1)!;
    const forged = await new SignJWT({ iss: issuer.issuer, sub: 'alice', iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(stranger.privateKey);
    tokensUsed.push(forged);
    const res = await send({ headers: bearer(forged) });
    expect(res.status).toBe(401);
    expect(challengeParams(res.headers.get('www-authenticate'))['error_description']).toBe(
      `signature does not verify with the issuer's key ${kid}`,
    );
  });

  it('counts every refusal by reason and never logs or echoes a token', async () => {
    const metrics = await app.metrics.registry.getMetricsAsJSON();
    const failures = metrics.find((m) => m.name === 'neonpanel_mcp_auth_failures_total');
    const reasons = new Set(failures?.values.map((v) => v.labels['reason']));
    for (const reason of [
      'expired',
      'not_yet_valid',
      'wrong_issuer',
      'unknown_kid',
      'missing_kid',
      'alg_not_allowed',
    ]) {
      expect(reasons).toContain(reason);
    }
    expect(tokensUsed.length).toBeGreaterThan(15);
    const logs = [...app.logLines, ...audienceApp.logLines, ...scopedApp.logLines].join('\n');
    expect(logs).toContain('request refused by the bearer gate');
    for (const t of tokensUsed) {
      expect(logs).not.toContain(t);
      expect(logs).not.toContain(parts(t)[2]); // not even the signature part
    }
  });
});
