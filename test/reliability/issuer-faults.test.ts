/**
 * Issuer faults: the bridge depends on NeonPanel's authorization server for two things, its signing
 * keys (JWKS) and its metadata. Proves that with the JWKS endpoint down for a whole run the keys
 * already fetched keep serving (and deep health says the keys are stale), that a key rotated mid-run
 * is accepted on the first request that uses it, and that with the issuer's metadata unreachable at
 * start the bridge still starts, serves a metadata document built from configuration, and says so.
 */
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { postMcp } from '../helpers/mcp-post.js';
import { recordFigures } from './support/figures.js';
import { connectClient, TRANSPORTS } from './support/mcp-clients.js';
import { type Stack, startStack } from './support/stack.js';
import { resultText } from './support/tool-errors.js';

const RUN_MS = 15_000;
const SUBS = ['alice', 'bob', 'carol'] as const;

interface CallTally {
  calls: number;
  failures: string[];
}

/** One fresh connection over `kind`, one tool call, closed again: what a returning client does. */
async function callOnce(stack: Stack, token: string, kind: (typeof TRANSPORTS)[number], tally: CallTally) {
  tally.calls++;
  try {
    const connected = await connectClient(stack.bridge.url, token, kind);
    try {
      const result = (await connected.client.callTool({ name: 'list_companies', arguments: {} })) as CallToolResult;
      if (result.isError) tally.failures.push(`${kind}: ${resultText(result)}`);
    } finally {
      await connected.close();
    }
  } catch (error) {
    tally.failures.push(`${kind}: ${String(error)}`);
  }
}

/** Runs `workers` loops of fresh-token calls over every transport until `ms` have passed. */
async function traffic(stack: Stack, ms: number, tally: CallTally, workers = 3): Promise<void> {
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let n = 0; Date.now() < until; n++) {
        // A new token every call: each one is verified against the keys, not found in the token cache.
        const token = await stack.token(SUBS[(worker + n) % SUBS.length]!);
        await callOnce(stack, token, TRANSPORTS[n % TRANSPORTS.length]!, tally);
      }
    }),
  );
}

async function deepHealth(stack: Stack): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.bridge.url}/healthz?deep=1`);
  return (await response.json()) as Record<string, unknown>;
}

describe('issuer faults', () => {
  const stacks: Stack[] = [];
  const figures: Record<string, unknown> = {};

  afterAll(async () => {
    for (const stack of stacks) await stack.stop();
    recordFigures('issuerFaults', figures);
  });

  it('keeps serving with cached keys while the JWKS endpoint is down for the whole run', async () => {
    const stack = await startStack({ env: { MCP_RATE_LIMIT_PER_USER: '0', MCP_RATE_LIMIT_PER_IP: '0' } });
    stacks.push(stack);
    const { sandbox } = stack;
    sandbox.faults.set([
      { route: '/.well-known/jwks.json', kind: 'error', status: 503, probability: 0.5 },
      { route: '/.well-known/jwks.json', kind: 'reset' },
    ]);
    const tally: CallTally = { calls: 0, failures: [] };
    await traffic(stack, RUN_MS, tally);

    // A token signed under a key id the bridge has never seen forces a refetch, which fails.
    const unknownKid = await stack.token('alice', { kid: 'kid-never-published' });
    const refused = await postMcp(
      `${stack.bridge.url}/mcp`,
      unknownKid,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    const challenge = refused.headers.get('www-authenticate') ?? '';
    await traffic(stack, 2_000, tally);
    const health = await deepHealth(stack);
    const jwks = health['jwks'] as { status: string; keysFound: number; lastError?: string };
    const jwksFaults = sandbox.faults.injected.error + sandbox.faults.injected.reset;
    sandbox.faults.clear();

    figures['jwksDown'] = {
      runMs: RUN_MS,
      callsWithFreshTokens: tally.calls,
      failed: tally.failures.length,
      jwksFetchesRefused: jwksFaults,
      unknownKidStatus: refused.status,
      deepHealthJwks: jwks,
    };
    expect(tally.failures.slice(0, 5)).toEqual([]);
    expect(tally.calls).toBeGreaterThan(20);
    expect(jwksFaults, 'the bridge must have tried the JWKS endpoint while it was down').toBeGreaterThan(0);
    // With the keys unfetchable an unknown kid may be a rotated key: 503 + Retry-After, never invalid_token.
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(challenge).not.toMatch(/invalid_token/);
    expect(((await refused.json()) as { error_description: string }).error_description).toMatch(/kid-never-published/);
    expect(jwks.status).toBe('stale');
    expect(jwks.keysFound).toBeGreaterThan(0);
    expect(jwks.lastError).toBeTruthy();
    expect(await stack.scanForLeaks()).toEqual([]);
  }, 120_000);

  it('accepts tokens signed with a key rotated mid-run on their first request', async () => {
    const stack = await startStack({ env: { MCP_RATE_LIMIT_PER_USER: '0', MCP_RATE_LIMIT_PER_IP: '0' } });
    stacks.push(stack);
    const tally: CallTally = { calls: 0, failures: [] };
    const firstRequests: string[] = [];
    const rotations: string[] = [];
    const background = traffic(stack, RUN_MS, tally, 2);
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, RUN_MS / 4));
      const kid = await stack.sandbox.keys.rotate();
      rotations.push(kid);
      // The very first request with a token under the new key, on each transport in turn.
      const token = await stack.token('alice', { kid });
      const first: CallTally = { calls: 0, failures: [] };
      await callOnce(stack, token, TRANSPORTS[i % TRANSPORTS.length]!, first);
      firstRequests.push(first.failures[0] ?? 'ok');
    }
    await background;
    figures['keyRotation'] = {
      runMs: RUN_MS,
      rotations: rotations.length,
      firstRequestAfterRotation: firstRequests,
      callsDuringRun: tally.calls,
      failed: tally.failures.length,
    };
    expect(new Set(rotations).size).toBe(3);
    expect(firstRequests).toEqual(['ok', 'ok', 'ok']);
    expect(tally.failures.slice(0, 5)).toEqual([]);
    expect(await stack.scanForLeaks()).toEqual([]);
  }, 120_000);

  it('starts and serves with configuration-built metadata when the issuer metadata is unreachable at start', async () => {
    const stack = await startStack({
      env: { MCP_RATE_LIMIT_PER_USER: '0', MCP_RATE_LIMIT_PER_IP: '0' },
      beforeBridge: (sandbox) =>
        sandbox.faults.set([
          { route: '/.well-known/oauth-authorization-server', kind: 'reset' },
          { route: '/.well-known/oauth-authorization-server/**', kind: 'reset' },
          { route: '/.well-known/openid-configuration', kind: 'error', status: 500 },
        ]),
    });
    stacks.push(stack);
    const { sandbox, bridge } = stack;
    const metadataResponse = await fetch(`${bridge.url}/.well-known/oauth-authorization-server`);
    const metadata = (await metadataResponse.json()) as Record<string, unknown>;
    const health = await deepHealth(stack);
    const issuerMetadata = health['issuerMetadata'] as { source: string; lastError?: string };
    const ready = await fetch(`${bridge.url}/readyz`);
    const resource = (await (await fetch(`${bridge.url}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      authorization_servers?: string[];
    };
    const tally: CallTally = { calls: 0, failures: [] };
    for (const kind of TRANSPORTS) await callOnce(stack, await stack.token('alice'), kind, tally);
    const refused = sandbox.faults.injected.reset + sandbox.faults.injected.error;
    sandbox.faults.clear();

    figures['metadataUnreachableAtStart'] = {
      metadataStatus: metadataResponse.status,
      source: issuerMetadata.source,
      lastError: issuerMetadata.lastError,
      readyz: ready.status,
      callsServed: tally.calls - tally.failures.length,
      metadataFetchesRefused: refused,
    };
    expect(refused).toBeGreaterThan(0);
    expect(metadataResponse.status).toBe(200);
    expect(metadata['issuer']).toBe(sandbox.issuer);
    expect(metadata['authorization_endpoint']).toEqual(expect.stringContaining(sandbox.issuer));
    expect(metadata['token_endpoint']).toEqual(expect.stringContaining(sandbox.issuer));
    expect(issuerMetadata.source).toBe('fallback');
    expect(issuerMetadata.lastError).toBeTruthy();
    expect(ready.status).toBe(200);
    expect(resource.authorization_servers).toEqual([sandbox.issuer]);
    expect(tally.failures).toEqual([]);
    expect(await stack.scanForLeaks()).toEqual([]);
  }, 60_000);
});
