/**
 * GETs a JSON document from the issuer, giving up after `timeoutMs`. Resolves to undefined when the
 * server answers 404 (it has no such document); throws `HTTP <status>` for any other non-2xx answer
 * and the parse error for a body that is not JSON.
 */
export async function fetchJson(fetchFn: typeof fetch, url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetchFn(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}
