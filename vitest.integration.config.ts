import { defineConfig } from 'vitest/config';

// Tests that need software from outside the npm registry (Debian packages);
// scripts/integration.mjs installs it first. `npm test` stays hermetic without them.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.build/vitest-integration-results.json' },
  },
});
