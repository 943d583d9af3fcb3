/**
 * Test projects: `unit` (node: pure modules, protocol snapshots, bench-free logic) and
 * `workers` (workerd via @cloudflare/vitest-pool-workers, the worker and its Durable Objects
 * under `wrangler.jsonc`'s `local` environment). `npm test` runs typecheck and both.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Request log lines are noise unless a test fails.
    silent: 'passed-only',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.jsonc', environment: 'local' },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/integration/**/*.test.ts'],
        },
      },
    ],
  },
});
