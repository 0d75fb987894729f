import { defineConfig } from 'vitest/config';

// Browser tests: a real Herald (built web app, real Postgres) driven through Debian’s Chromium; and plain unit tests of the app's helpers.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['@herald/server/testing/globalSetup'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
