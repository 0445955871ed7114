/**
 * The sandbox's RS256 signing keys: the JWKS it publishes, the key that signs new tokens, and rotation.
 */

import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicJwk: { ...jwk, kid, use: 'sig', alg: 'RS256' } };
}

/** What to put in a JWT and how to sign it. */
export interface SignRequest {
  payload: Record<string, unknown>;
  /** See `IssueTokenOptions.kid`: a held kid, an unknown kid (named but signed with the current key), or null. */
  kid?: string | null;
}

/** Holds every published key; the newest signs. */
export class KeyStore {
  private constructor(private keys: SigningKey[]) {}

  static async create(): Promise<KeyStore> {
    return new KeyStore([await createSigningKey()]);
  }

  get currentKid(): string {
    return this.current.kid;
  }

  get kids(): string[] {
    return this.keys.map((key) => key.kid);
  }

  /** The public JWK Set (RFC 7517) served at `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** Public keys by kid, for the API's own token check. */
  publicJwk(kid: string): JWK | undefined {
    return this.keys.find((key) => key.kid === kid)?.publicJwk;
  }

  /** Adds a key that signs from now on; `dropOld` removes every older key from the JWKS. */
  async rotate(options: { dropOld?: boolean } = {}): Promise<string> {
    const key = await createSigningKey();
    this.keys = options.dropOld ? [key] : [...this.keys, key];
    return key.kid;
  }

  /** Signs an RS256 JWT; the header carries only `alg` and `kid`, like NeonPanel's tokens. */
  async sign(request: SignRequest): Promise<string> {
    const held = typeof request.kid === 'string' ? this.keys.find((key) => key.kid === request.kid) : undefined;
    const key = held ?? this.current;
    const header = request.kid === null ? { alg: 'RS256' } : { alg: 'RS256', kid: request.kid ?? key.kid };
    return new SignJWT(request.payload).setProtectedHeader(header).sign(key.privateKey);
  }

  private get current(): SigningKey {
    return this.keys[this.keys.length - 1] as SigningKey;
  }
}
