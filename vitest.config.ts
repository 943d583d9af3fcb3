/**
 * Test projects: `unit` (node: pure modules, protocol snapshots, rules over node:sqlite),
 * `container` (node: the control server with real child processes and real git in temp dirs),
 * `browser` (node: the dashboard in headless Chromium against the worker in local mode,
 * `test/support/local-stack.ts`), `e2e` (node: the whole town on one machine — worker, launcher,
 * control servers, kilo sessions on the local model — with faults) and `workers` (workerd via
 * @cloudflare/vitest-pool-workers, the worker and its Durable Objects under `wrangler.jsonc`'s
 * `local` environment). `npm test` runs typecheck and all.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { scmOutbound } from './test/integration/scm-outbound.ts';

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
        test: {
          name: 'container',
          include: ['test/container/**/*.test.ts'],
          environment: 'node',
          // Real child processes (git, kilo serve) need more than the default 5 s.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          // The real worker (and launcher) in local mode driving headless Chromium.
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One stack at a time: each file starts workerd (and maybe control servers).
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // The whole town on one machine: workerd, the launcher, control servers, kilo sessions.
          testTimeout: 900_000,
          hookTimeout: 240_000,
          // One stack at a time; each file starts its own and runs its scenarios in separate towns.
          fileParallelism: false,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.jsonc', environment: 'local' },
            // The fake git host answers its loopback origin; everything else passes through.
            miniflare: { outboundService: scmOutbound },
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
