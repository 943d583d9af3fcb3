#!/usr/bin/env node
/**
 * Builds the dashboard's browser bundle: one esbuild step bundles src/dashboard/client/main.tsx
 * (strict TypeScript, Hono's client JSX) and the CSS it imports into dist/assets/dashboard/
 * (app.js, app.css), the Workers static-assets directory the worker serves them from
 * (`wrangler.jsonc` `assets`). Run by `npm test` (pretest), `npm start` and wrangler's
 * `build.command` (`wrangler dev` / `wrangler deploy`). The output is git-ignored.
 * `--watch` rebuilds on change.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/assets/dashboard`;

/**
 * zod's `z` namespace re-exports every error-message locale (about half the bundle); the client
 * only needs English, so the locale index zod's namespaces import is replaced by English alone.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'gastown-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'gastown-stub' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: { app: 'src/dashboard/client/main.tsx' },
  tsconfig: 'src/dashboard/client/tsconfig.json',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  outdir,
  logLevel: 'warning',
  plugins: [englishOnlyZod],
};

await mkdir(outdir, { recursive: true });
if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log(`[build-dashboard] watching; output in ${outdir}`);
} else {
  await esbuild.build(options);
}
