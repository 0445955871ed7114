import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
    // Reliability and the real benchmark runs have their own configs and npm scripts.
    exclude: ['test/reliability/**', 'test/integration/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
