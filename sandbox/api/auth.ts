/** The API's bearer check: an RS256 JWT from the sandbox's own keys and issuer, like NeonPanel's API. */

import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import type { KeyStore } from '../keys.js';
import { ApiError } from './errors.js';

/** Returns a verifier that answers the token's `sub`, or throws a 401 ApiError saying what is wrong. */
export function bearerVerifier(keys: KeyStore, issuer: string): (authorization: string | undefined) => Promise<string> {
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  let keySetKids = '';
  const currentKeySet = () => {
    const kids = keys.kids.join(',');
    if (!keySet || kids !== keySetKids) {
      keySet = createLocalJWKSet(keys.jwks());
      keySetKids = kids;
    }
    return keySet;
  };
  return async (authorization) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new ApiError(401, 'Unauthenticated. Send "Authorization: Bearer <access token>".');
    try {
      const { payload } = await jwtVerify(token, currentKeySet(), { issuer, algorithms: ['RS256'] });
      if (typeof payload.sub !== 'string' || payload.sub === '')
        throw new ApiError(401, 'Unauthenticated. The token has no sub.');
      return payload.sub;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof errors.JWTExpired) throw new ApiError(401, 'Unauthenticated. The access token has expired.');
      throw new ApiError(401, 'Unauthenticated. The access token is not valid.');
    }
  };
}
