/**
 * A minimal issuer for the auth unit tests: RS256 keys made with jose, a JWKS and RFC 8414 metadata
 * served by node:http on 127.0.0.1. Its surface is the subset of the sandbox's (`issueToken`,
 * `keys.rotate`, `misbehave.set({ jwksDown })`) that the auth tests need, plus switches the sandbox
 * does not have (metadata down, an OpenID configuration) and a count of JWKS requests.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { IssueTokenOptions } from '../../../sandbox/types.js';

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

/** The sandbox's token options, meant the same way; here `sub` defaults to alice and `expiresIn` to an hour. */
export type LocalIssuerTokenOptions = Omit<IssueTokenOptions, 'sub'> & { sub?: string };

export interface LocalIssuer {
  url: string;
  issuer: string;
  jwksRequests: number;
  issueToken(options: LocalIssuerTokenOptions): Promise<string>;
  keys: { readonly kids: string[]; rotate(options?: { dropOld?: boolean }): Promise<string> };
  misbehave: { set(settings: { jwksDown?: boolean; metadataDown?: boolean; openidConfiguration?: boolean }): void };
  close(): Promise<void>;
}

let kidCounter = 0;
async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `local-${++kidCounter}`;
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startLocalIssuer(): Promise<LocalIssuer> {
  let keys: Key[] = [await newKey()];
  const switches = { jwksDown: false, metadataDown: false, openidConfiguration: false };
  let issuer = '';
  const state = { jwksRequests: 0 };
  const metadata = () => ({
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    registration_endpoint: `${issuer}/oauth2/register`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  });
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/jwks.json') {
      state.jwksRequests++;
      return switches.jwksDown ? send(503, { error: 'down' }) : send(200, { keys: keys.map((k) => k.jwk) });
    }
    if (req.url === '/.well-known/oauth-authorization-server') {
      return switches.metadataDown ? send(503, { error: 'down' }) : send(200, metadata());
    }
    if (req.url === '/.well-known/openid-configuration' && switches.openidConfiguration) {
      return send(200, { ...metadata(), subject_types_supported: ['public'] });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: issuer,
    issuer,
    get jwksRequests() {
      return state.jwksRequests;
    },
    async issueToken(options) {
      const current = keys[keys.length - 1] as Key;
      const held = typeof options.kid === 'string' ? keys.find((k) => k.kid === options.kid) : undefined;
      const key = held ?? current;
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        sub: options.sub ?? 'alice',
        iat: now,
        exp: now + (options.expiresIn ?? 3600),
        scope: options.scope ?? 'neonpanel.mcp',
        ...(options.aud ? { aud: options.aud } : {}),
        ...(options.notBefore !== undefined ? { nbf: now + options.notBefore } : {}),
        ...options.extraClaims,
      };
      const header = options.kid === null ? { alg: 'RS256' } : { alg: 'RS256', kid: options.kid ?? key.kid };
      return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey);
    },
    keys: {
      get kids() {
        return keys.map((k) => k.kid);
      },
      async rotate(options = {}) {
        const key = await newKey();
        keys = options.dropOld ? [key] : [...keys, key];
        return key.kid;
      },
    },
    misbehave: {
      set(settings) {
        Object.assign(switches, settings);
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
