/**
 * Temporary vitest config for the container tests until the lead folds a `container` project
 * into the root config: `npx vitest run --config test/container/vitest.config.ts`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/container/**/*.test.ts'],
    environment: 'node',
    root: '/work/main',
  },
});
