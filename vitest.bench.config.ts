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
    // As in `npm test` (vitest.config.ts): the benches' commands open the embedded store in their own process
    // unless a bench asks for the resident holder.
    env: { CIS_CONTACT_NO_HOLDER: '1' },
    pool: 'forks',
    maxWorkers: 1,
  },
});
