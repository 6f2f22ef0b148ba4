import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Needs Debian packages: npm run test:integration.
    exclude: ['test/integration/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.build/vitest-results.json' },
  },
});
