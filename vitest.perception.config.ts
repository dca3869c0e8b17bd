import { defineConfig } from 'vitest/config';

// The perception suite needs no database or queue, so it runs without the repo-wide globalSetup
// (test/support/global-setup.ts). Same pool settings as vitest.config.ts.
export default defineConfig({
  test: {
    include: ['test/perception/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
