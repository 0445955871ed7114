/**
 * Thrown (as a rejected promise) by a store that cannot reach its backend in time. Callers catch it
 * and degrade: serve what they can without shared state, or answer 503, but never wait longer.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'store_unavailable';
}
