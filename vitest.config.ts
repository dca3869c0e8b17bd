import { defineConfig } from 'vitest/config';

// One test file per concern; files run in parallel in forks, each with its own database schema and
// Redis prefix (test/support/), so no file sees another's state.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
