import type { VerifiedToken } from './verifier.js';

/** Refusals of a request's token, remembered for as long as the request object lives. */
const refusals = new WeakMap<object, { token: string; error: unknown }>();

/**
 * Verifies the bearer token of one request, at most once however many handlers look at it.
 *
 * The handlers served before express (`GET /sse`, the POST lane) verify the token first and leave a
 * refused one to express, whose gate answers with the challenge and counts the failure. Without this,
 * the gate verified the same bad token again: a second signature check for every forged token. Only
 * refusals are remembered; an accepted token never reaches the gate a second time.
 */
export async function verifyOnce(
  req: object,
  token: string,
  verify: (token: string) => Promise<VerifiedToken>,
): Promise<VerifiedToken> {
  const refused = refusals.get(req);
  if (refused?.token === token) throw refused.error;
  try {
    return await verify(token);
  } catch (error) {
    refusals.set(req, { token, error });
    throw error;
  }
}
