import { defineConfig } from 'vitest/config';

/**
 * `npm run bench:smoke`: every benchmark in test/bench/ run small, so none
 * rots unnoticed. Not part of `npm test` (minutes of spawned processes);
 * `.ci/run` runs it after the suite.
 */
export default defineConfig({
  test: {
    include: ['test/bench/**/*.test.ts'],
    testTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
