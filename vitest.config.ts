import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The benchmarks' smoke run is `npm run bench:smoke` (vitest.bench.config.ts), which CI runs after `npm test`.
    exclude: [...configDefaults.exclude, 'test/bench/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Commands open the embedded store in their own process unless a test asks for the resident holder
    // (test/e2e/holder.test.ts): a holder outlives the command that starts it, and one a store would pile up.
    env: { CIS_CONTACT_NO_HOLDER: '1' },
    pool: 'forks',
    maxWorkers: 2,
  },
});
