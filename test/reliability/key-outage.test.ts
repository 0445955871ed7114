/**
 * Key rotation while the issuer's JWKS endpoint hangs (issue 25, finding 6). A token signed with the
 * new key may be good, so while the keys cannot be fetched it gets 503 with `Retry-After` (a client
 * keeps its token and retries), never 401 `invalid_token` (a client throws the token away and logs the
 * user in again); once the JWKS answers, the same token is accepted on its next request, not after the
 * 30 s cooldown of a key id already looked for.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { postMcp } from '../helpers/mcp-post.js';
import { recordFigures } from './support/figures.js';
import { type Stack, startStack } from './support/stack.js';

const RECOVERY_LIMIT_MS = 45_000;

describe('key rotation while the JWKS endpoint is down', () => {
  let stack: Stack | undefined;

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 503 with Retry-After during the outage and accepts the token as soon as the keys are back', async () => {
    stack = await startStack({ env: { MCP_RATE_LIMIT_PER_USER: '0', MCP_RATE_LIMIT_PER_IP: '0' } });
    const running = stack;
    const post = (token: string) =>
      postMcp(`${running.bridge.url}/mcp`, token, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    expect((await post(await running.token('alice'))).status).toBe(200);

    running.sandbox.faults.set({ route: '/.well-known/jwks.json', kind: 'hang' });
    const kid = await running.sandbox.keys.rotate();
    const token = await running.token('alice', { kid });
    // An outage outlasts the bridge's least gap between two fetches of the key set (1 s for a new key id).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const duringOutage: { status: number; retryAfter: string | null; ms: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const response = await post(token);
      await response.arrayBuffer();
      duringOutage.push({
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        ms: Math.round(performance.now() - started),
      });
    }

    running.sandbox.faults.clear();
    const recovered = performance.now();
    const afterRecovery: number[] = [];
    let acceptedAfterMs: number | undefined;
    while (performance.now() - recovered < RECOVERY_LIMIT_MS) {
      const response = await post(token);
      await response.arrayBuffer();
      afterRecovery.push(response.status);
      if (response.status === 200) {
        acceptedAfterMs = Math.round(performance.now() - recovered);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const figures = {
      duringOutage,
      requestsAfterRecovery: afterRecovery.length,
      refused401AfterRecovery: afterRecovery.filter((status) => status === 401).length,
      acceptedAfterMs: acceptedAfterMs ?? `not within ${RECOVERY_LIMIT_MS} ms`,
    };
    recordFigures('keyOutage', figures);
    for (const answer of duringOutage) {
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    }
    expect(figures.refused401AfterRecovery).toBe(0);
    expect(acceptedAfterMs).toBeLessThan(3_000);
    expect(await running.scanForLeaks()).toEqual([]);
  }, 120_000);
});
