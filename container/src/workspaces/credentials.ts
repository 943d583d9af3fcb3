/**
 * Git credential material (`container.md` §9.3): which host kind a rig URL is on, the token and
 * user name for it (`x-access-token:<t>` GitHub, `oauth2:<t>` GitLab), the text of a git
 * credential-store file, the `-c` arguments that make git use exactly that file, and writing the
 * files (dirs 0700, files 0600) under `<root>/rigs/<rigId>/cred` and `<root>/agents/<id>/cred`,
 * outside every worktree. Tokens never go into URLs or argv: only into these files.
 */
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig } from '../../../src/protocol/control.ts';
import { GITHUB_TOKEN_FILE, GITLAB_TOKEN_FILE } from '../env/cli-wrappers.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { GIT_CREDENTIALS_FILE } from '../layout.ts';

/** Where a rig's repository lives: a token host, or a local `file://` path (no credentials). */
export type GitHostKind = 'github' | 'gitlab' | 'local';

/**
 * The host kind of `gitUrl`: `file://` → local; the rig's `scm.provider` when the start request
 * names one; gitlab.com or the host of `git_auth.gitlab_instance_url` → gitlab; else github.
 */
export function hostKindOf(gitUrl: string, config: ContainerConfig, hint?: 'github' | 'gitlab'): GitHostKind {
  if (gitUrl.toLowerCase().startsWith('file://')) return 'local';
  if (hint !== undefined) return hint;
  const host = hostOf(gitUrl);
  if (host === 'gitlab.com') return 'gitlab';
  const instance = config.git_auth.gitlab_instance_url;
  if (instance !== undefined && host !== null && hostOf(instance) === host) return 'gitlab';
  return 'github';
}

/** The token git should present for `kind` under `config` (GitHub: the resolved token, else the CLI PAT). */
export function configTokenFor(kind: GitHostKind, config: ContainerConfig): string | null {
  if (kind === 'github') return config.git_auth.github_token ?? config.github_cli_pat ?? null;
  if (kind === 'gitlab') return config.git_auth.gitlab_token ?? null;
  return null;
}

/** The credential user name of a host kind. */
export function credentialUser(kind: 'github' | 'gitlab'): string {
  return kind === 'github' ? 'x-access-token' : 'oauth2';
}

/**
 * The credential-store file for `gitUrl`: one `scheme://user:token@host[:port]` line (user and
 * token percent-encoded, as git decodes them), or empty text for a local repo or without a token.
 */
export function credentialStoreText(gitUrl: string, kind: GitHostKind, token: string | null): string {
  if (kind === 'local' || token === null || token === '') return '';
  let url: URL;
  try {
    url = new URL(gitUrl);
  } catch {
    return '';
  }
  return `${url.protocol}//${encodeURIComponent(credentialUser(kind))}:${encodeURIComponent(token)}@${url.host}\n`;
}

/**
 * `-c` arguments (placed before the git subcommand) that clear every configured helper and use
 * only the store file `file`. git runs the helper through `sh`, hence the quoting.
 */
export function credentialHelperArgs(file: string): string[] {
  return ['-c', 'credential.helper=', '-c', `credential.helper=store --file=${shellQuote(file)}`];
}

/** `value` as one single-quoted `sh` word. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The credential-store file inside a credential dir. */
export function credentialStoreFile(credDir: string): string {
  return join(credDir, GIT_CREDENTIALS_FILE);
}

/** The gh/glab wrapper token file of a host kind, or null for a local repo. */
export function tokenFileName(kind: GitHostKind): string | null {
  if (kind === 'github') return GITHUB_TOKEN_FILE;
  if (kind === 'gitlab') return GITLAB_TOKEN_FILE;
  return null;
}

/** Creates `credDir` as 0700 (also tightening an existing one). */
export async function ensureCredDir(credDir: string): Promise<void> {
  await mkdir(credDir, { recursive: true, mode: 0o700 });
  await chmod(credDir, 0o700);
}

/** Writes the credential-store file of `credDir` (0600), or empties it; a no-op when unchanged. */
export async function writeCredentialStore(credDir: string, text: string): Promise<void> {
  await ensureCredDir(credDir);
  const file = credentialStoreFile(credDir);
  const current = await readFile(file, 'utf8').catch(() => null);
  if (current === text) {
    await chmod(file, 0o600);
    return;
  }
  await writeFileAtomic(file, text, 0o600);
}

/** Writes (0600) or removes the wrapper token file of `kind` in `credDir`. */
export async function writeTokenFile(credDir: string, kind: GitHostKind, token: string | null): Promise<void> {
  const name = tokenFileName(kind);
  if (name === null) return;
  await ensureCredDir(credDir);
  const file = join(credDir, name);
  if (token === null || token === '') await rm(file, { force: true });
  else await writeFileAtomic(file, token, 0o600);
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}
