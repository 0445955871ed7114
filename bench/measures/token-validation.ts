/**
 * Measure 3: verifications per second with the bridge's own verifier (`createAuth(...).verify`,
 * src/auth): distinct new tokens (RS256 signature checked, then cached) and one token already in
 * the cache. Runs in the benchmark process while the load generator and servers are idle.
 */
import { createAuth } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import type { Plan } from '../plan.js';
import type { Child } from '../processes/spawn.js';
import { type Spread, spread } from '../stats.js';

export interface TokenValidation {
  newPerSecond: Spread;
  cachedPerSecond: Spread;
  /** How many times cheaper a cached verification is than a new one, per run. */
  cachedSpeedup: Spread;
  newTokensPerRun: number;
  cachedVerificationsPerRun: number;
}

async function timeSeconds(work: () => Promise<void>): Promise<number> {
  const startedAt = performance.now();
  await work();
  return (performance.now() - startedAt) / 1000;
}

export async function measureTokenValidation(plan: Plan, sandbox: Child): Promise<TokenValidation> {
  const config = loadConfig({ NEONPANEL_ISSUER: sandbox.url, NEONPANEL_API_URL: sandbox.url, LOG_LEVEL: 'silent' });
  const auth = createAuth(config, { logger: silentLogger(), metrics: createMetrics() });
  await auth.start();
  const newRates: number[] = [];
  const cachedRates: number[] = [];
  try {
    for (let run = 0; run < plan.runs; run++) {
      // Minted fresh each run: a token verified once stays cached, and would no longer be new.
      const tokens = await sandbox.request<string[]>({ type: 'issue-tokens', sub: 'alice', count: plan.newTokens + 1 });
      const cachedToken = tokens.pop()!;
      await auth.verify(cachedToken);
      const newSeconds = await timeSeconds(async () => {
        for (const token of tokens) await auth.verify(token);
      });
      const cachedSeconds = await timeSeconds(async () => {
        for (let i = 0; i < plan.cachedVerifications; i++) await auth.verify(cachedToken);
      });
      newRates.push(tokens.length / newSeconds);
      cachedRates.push(plan.cachedVerifications / cachedSeconds);
    }
  } finally {
    auth.close();
  }
  return {
    newPerSecond: spread(newRates),
    cachedPerSecond: spread(cachedRates),
    cachedSpeedup: spread(cachedRates.map((rate, i) => rate / newRates[i]!)),
    newTokensPerRun: plan.newTokens,
    cachedVerificationsPerRun: plan.cachedVerifications,
  };
}
