import { defineConfig } from 'vitest/config';

// `npm run bench:check`: runs the benchmark for real (short), so that `npm run bench` and
// `npm run bench:compare` keep working. Kept out of `npm test`, which tests behaviour; the benchmark's
// pure code (bench/**/*.test.ts) stays there.
export default defineConfig({
  test: {
    include: ['test/integration/bench/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One run at a time: two benchmark runs side by side would share the same cores.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
