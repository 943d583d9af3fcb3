/**
 * `gh` / `glab` wrappers for the agent `PATH` (`container.md` §6 item 4) and the per-agent token
 * files they read. A wrapper exports the agent's *current* token from its file, then runs the real
 * binary, so a rotated git token reaches a running agent without a restart of its server.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.ts';

/** The env var naming the agent's credential dir, read by the wrappers. */
export const CRED_DIR_ENV = 'GASTOWN_CRED_DIR';
/** Token file names inside the credential dir. */
export const GITHUB_TOKEN_FILE = 'github-token';
export const GITLAB_TOKEN_FILE = 'gitlab-token';

interface WrapperSpec {
  bin: 'gh' | 'glab';
  file: string;
  vars: readonly string[];
}

const WRAPPERS: readonly WrapperSpec[] = [
  { bin: 'gh', file: GITHUB_TOKEN_FILE, vars: ['GH_TOKEN'] },
  { bin: 'glab', file: GITLAB_TOKEN_FILE, vars: ['GITLAB_TOKEN'] },
];

/**
 * The shell text of one wrapper: export the token if its file exists, then exec the next `bin`
 * on PATH that is not this wrapper. Builtins only (`read`, `cd`, `pwd`, `test`), so it works on
 * any PATH and can never exec itself.
 */
export function wrapperText(spec: WrapperSpec): string {
  const exports = spec.vars.map((v) => `  IFS= read -r ${v} < "$f"; export ${v}`).join('\n');
  return [
    '#!/bin/sh',
    `# gastown ${spec.bin} wrapper: the agent's current token, then the real ${spec.bin}.`,
    `f="$${CRED_DIR_ENV}/${spec.file}"`,
    `if [ -n "$${CRED_DIR_ENV}" ] && [ -r "$f" ]; then`,
    exports,
    'fi',
    'case "$0" in */*) self_dir=$(cd -- "${0%/*}" && pwd -P) ;; *) self_dir= ;; esac',
    'IFS=:',
    'for d in $PATH; do',
    '  [ -n "$d" ] || continue',
    '  [ "$(cd -- "$d" 2>/dev/null && pwd -P)" = "$self_dir" ] && continue',
    `  [ -x "$d/${spec.bin}" ] && [ ! "$d/${spec.bin}" -ef "$0" ] && exec "$d/${spec.bin}" "$@"`,
    'done',
    `echo "${spec.bin}: not installed in this container" >&2`,
    'exit 127',
    '',
  ].join('\n');
}

/** Writes the `gh` and `glab` wrappers into `binDir` (the dir that leads every agent `PATH`). */
export async function writeCliWrappers(binDir: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  for (const spec of WRAPPERS) {
    const path = join(binDir, spec.bin);
    await writeFileAtomic(path, wrapperText(spec), 0o755);
  }
}

/**
 * Writes (or removes, when the key is absent = revoked) the agent's token files from its built
 * env: `GH_TOKEN` → `github-token`, `GITLAB_TOKEN` → `gitlab-token`. Dir 0700, files 0600.
 */
export async function writeAgentTokenFiles(credDir: string, env: Readonly<Record<string, string>>): Promise<void> {
  await mkdir(credDir, { recursive: true, mode: 0o700 });
  await chmod(credDir, 0o700);
  for (const [file, key] of [
    [GITHUB_TOKEN_FILE, 'GH_TOKEN'],
    [GITLAB_TOKEN_FILE, 'GITLAB_TOKEN'],
  ] as const) {
    const value = env[key];
    const path = join(credDir, file);
    if (value === undefined || value === '') await rm(path, { force: true });
    else await writeFileAtomic(path, value, 0o600);
  }
}
