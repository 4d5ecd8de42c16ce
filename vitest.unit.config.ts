import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the tests that need no store (the pure rules, CSV
 * reading, terminal output, the import's units, run scripts), so no stores
 * are prepared for them. Under a minute; `npm test` runs them too.
 */
export default defineConfig({
  test: {
    include: ['test/{domain,csv,terminal,import,recording}/**/*.test.ts'],
    // Driven on both drivers' stores: part of the full suite.
    exclude: ['test/import/contact-import.test.ts'],
    setupFiles: ['test/support/unit-setup.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
