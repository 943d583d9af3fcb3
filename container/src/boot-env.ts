/**
 * The boot env of the control server (`container.md` §1), read once by main.ts. The control
 * secret and the container token move into memory and are DELETED from the env before anything
 * can spawn, so no child ever inherits them (`http-api.md` §2 rule 5). This module is the only
 * place allowed to write `process.env`, and only to delete those two keys.
 */

/** Boot settings; secrets live here (in memory), never in the env again. */
export interface BootEnv {
  townId: string | null;
  apiUrl: string | null;
  /** null → main.ts exits 1 (`container.md` §2). */
  controlSecret: string | null;
  containerToken: string | null;
  /** `GASTOWN_DATA_ROOT`, default `/workspace`. */
  dataRoot: string;
  /** `GASTOWN_LOCAL_MODEL=allow` (local mode and tests only). */
  localModelAllowed: boolean;
  /** `GASTOWN_TIMING` (`test` in development); pass the env itself to `timingsFor`. */
  timingProfile: 'test' | 'default';
  /** `PORT`, default 8080 (0 = any free port, tests). */
  port: number;
  /** `GASTOWN_BIND`, default `0.0.0.0`; the local launcher sets `127.0.0.1`. */
  bind: string;
}

/** Keys scrubbed from the env at boot. */
export const BOOT_SECRET_KEYS = ['GASTOWN_CONTROL_SECRET', 'GASTOWN_CONTAINER_TOKEN'] as const;

const DEFAULT_PORT = 8080;

function nonEmpty(v: string | undefined): string | null {
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function portOf(v: string | undefined): number {
  const s = nonEmpty(v);
  if (s === null || !/^\d{1,5}$/.test(s)) return DEFAULT_PORT;
  const n = Number(s);
  return n <= 65_535 ? n : DEFAULT_PORT;
}

/**
 * Reads the boot env and deletes `GASTOWN_CONTROL_SECRET` and `GASTOWN_CONTAINER_TOKEN` from
 * `env` (default: `process.env`). Call it once, first thing, before any child is spawned.
 */
export function readBootEnv(env: Record<string, string | undefined> = process.env): BootEnv {
  const boot: BootEnv = {
    townId: nonEmpty(env.GASTOWN_TOWN_ID),
    apiUrl: nonEmpty(env.GASTOWN_API_URL),
    // The secret is compared byte for byte: keep it exactly as given (only empty → null).
    controlSecret: env.GASTOWN_CONTROL_SECRET === undefined || env.GASTOWN_CONTROL_SECRET === '' ? null : env.GASTOWN_CONTROL_SECRET,
    containerToken: nonEmpty(env.GASTOWN_CONTAINER_TOKEN),
    dataRoot: nonEmpty(env.GASTOWN_DATA_ROOT) ?? '/workspace',
    localModelAllowed: env.GASTOWN_LOCAL_MODEL === 'allow',
    timingProfile: env.GASTOWN_TIMING === 'test' ? 'test' : 'default',
    port: portOf(env.PORT),
    bind: nonEmpty(env.GASTOWN_BIND) ?? '0.0.0.0',
  };
  for (const key of BOOT_SECRET_KEYS) delete env[key];
  return boot;
}
