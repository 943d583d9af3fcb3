/**
 * The local launcher (`container.md` §1, §11), what `npm start` runs in local mode: an HTTP server
 * on 127.0.0.1:8790 (`PORT` overrides) that starts one control server per town on demand and
 * proxies to it. SIGINT/SIGTERM stop every town (its group, then SIGKILL after the grace) before
 * exiting; the `exit` handler KILLs any group left. Never writes `process.env`.
 */
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import { installPaths } from './install-paths.ts';
import { controlEntry } from './launcher/control-entry.ts';
import { createLauncherApp } from './launcher/launcher-app.ts';
import { launcherTimingsFor } from './launcher/launcher-timings.ts';
import { Towns } from './launcher/towns.ts';
import type { StopSignal } from './launcher/town-process.ts';
import { Redactor, createLogger } from './redact.ts';

/** The launcher's port when `PORT` is unset or invalid. */
const DEFAULT_PORT = 8790;

function portOf(value: string | undefined): number {
  if (value === undefined || !/^\d{1,5}$/.test(value.trim())) return DEFAULT_PORT;
  const n = Number(value.trim());
  return n <= 65_535 ? n : DEFAULT_PORT;
}

function main(): void {
  const env: Readonly<Record<string, string | undefined>> = process.env;
  const timings = launcherTimingsFor(env);
  const redactor = new Redactor();
  const log = createLogger(redactor);
  const install = installPaths();
  const townsDir = env.GASTOWN_TOWNS_DIR ?? join(dirname(install.packageDir), '.gastown', 'towns');
  const entry = controlEntry(install, env.GASTOWN_CONTROL_ENTRY);
  const towns = new Towns({ entry, townsDir, baseEnv: env, timings, log, redactor, writeLine: (line) => process.stdout.write(`${line}\n`) });
  process.on('exit', () => towns.killAllSync());

  const app = createLauncherApp({ towns, timings, log });
  const server = serve({ fetch: app.fetch, port: portOf(env.PORT), hostname: '127.0.0.1' }, (info) => {
    log.info('launcher.listening', { port: info.port, towns_dir: townsDir, entry: entry.args.at(-1) });
  });

  let stopping = false;
  const shutdown = (signal: StopSignal): void => {
    if (stopping) {
      // A second signal: no more grace.
      log.warn('launcher.kill', { signal });
      void towns.stopAll('SIGKILL');
      return;
    }
    stopping = true;
    log.info('launcher.shutdown', { signal });
    server.close();
    void towns.stopAll(signal).finally(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGTERM'));
}

main();
