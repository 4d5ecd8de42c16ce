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
    // A worker process runs file after file: each file no longer pays its own start, module load and PGlite's
    // WebAssembly compile (the whole suite: 532 s → 481 s, CPU 890 s → 792 s, 2026-12-07). Every file still makes
    // its own stores and folders, and setup.ts stops what a file leaves running.
    isolate: false,
  },
});
