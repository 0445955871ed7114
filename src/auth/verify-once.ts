import type { VerifiedToken } from './verifier.js';

/**
 * The token last accepted on each connection, remembered for as long as the connection lives. A client
 * sends the same token on every request of a keep-alive connection, and looking it up in the verifier's
 * cache means hashing it (SHA-256 of about a kilobyte) on every request: a few percent of a tool call.
 */
const acceptedOnConnection = new WeakMap<object, { token: string; verified: VerifiedToken }>();

/** A request as verifyOnce sees it: node's and express's requests, whose `socket` is the connection. */
type VerifyingRequest = { socket?: object | null };

/**
 * Verifies the bearer token of one request, remembering what it accepted on the request's connection.
 *
 * A token accepted on a connection is accepted again on that connection without asking `verify`, for
 * as long as it is exactly the same token and has not expired: `verify` would answer from its cache
 * with the same result, because the scopes it checks are the deployment's and do not change. After the
 * token's `exp` (and for any other token) `verify` decides again, with its clock tolerance. A refused
 * token is not remembered: each request is checked by the gate once, and a refusal answered there.
 */
export async function verifyOnce(
  req: VerifyingRequest,
  token: string,
  verify: (token: string) => Promise<VerifiedToken>,
): Promise<VerifiedToken> {
  const connection = req.socket ?? undefined;
  const accepted = connection && acceptedOnConnection.get(connection);
  if (accepted && accepted.token === token && accepted.verified.expiresAt * 1000 > Date.now()) {
    return accepted.verified;
  }
  const verified = await verify(token);
  if (connection) acceptedOnConnection.set(connection, { token, verified });
  return verified;
}
