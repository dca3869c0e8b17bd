import { defineConfig } from 'vitest/config';

// One test file per concern; files run in parallel in forks, each with its own database schema and
// Redis prefix (test/support/), so no file sees another's state.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Generous for a loaded 2-core machine: waits inside tests are for conditions (test/support/patience.ts),
    // so a test that works finishes long before these; they only bound one that hangs.
    testTimeout: 180_000,
    hookTimeout: 240_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
