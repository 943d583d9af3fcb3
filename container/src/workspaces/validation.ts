/**
 * Pure checks on everything the workspaces turn into paths or git argv (`container.md` §9.2):
 * path ids, data-root containment (lexical; `safe-paths.ts` adds the realpath step), rig git URLs
 * and branch names. Each check returns a verdict whose message never echoes a URL (it could
 * carry credentials); the table tests in test/unit/workspaces/ pin them.
 */
import { isAbsolute, relative, resolve } from 'node:path';

/** A verdict: `ok`, or why not (one sentence naming the field). */
export type Check = { ok: true } | { ok: false; message: string };

/** What a valid git URL is. `file` needs `GASTOWN_LOCAL_MODEL=allow`; `http` is loopback only. */
export type GitUrlKind = 'https' | 'http' | 'file';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PATH_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** Whitespace, C0/C1 control characters and DEL. */
const UNSAFE_CHARS = /[\s\u0000-\u001f\u007f-\u009f]/;
/** Characters git refuses in ref names (`git check-ref-format`), plus the ones argv must never see. */
const REF_FORBIDDEN = /[~^:?*[\\]/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Longest branch name accepted. */
export const MAX_BRANCH_LENGTH = 255;
/** Longest git URL accepted (the protocol schema's bound). */
export const MAX_GIT_URL_LENGTH = 2048;

const ok: Check = { ok: true };
const no = (message: string): Check => ({ ok: false, message });

/** A path id (rig, agent, merge request id): a UUID or 1–128 chars of `[A-Za-z0-9._-]`, never `.` or `..`. */
export function checkPathId(field: string, id: string): Check {
  if (UUID.test(id)) return ok;
  if (!PATH_ID.test(id)) return no(`${field} must be a UUID or 1–128 characters of [A-Za-z0-9._-].`);
  if (id === '.' || id === '..') return no(`${field} must not be "." or "..".`);
  return ok;
}

/** True when `candidate` (resolved) is `root` itself or lies below it. Lexical only. */
export function isInsideRoot(root: string, candidate: string): boolean {
  const rel = relative(resolve(root), resolve(candidate));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * A rig git URL the container may hand to git: `https://host/path`; `http://` only on a loopback
 * host; `file:///abs/path` only when `localAllowed` (`GASTOWN_LOCAL_MODEL=allow`). Never ssh or
 * scp-like forms, userinfo, a query or fragment, a leading `-`, whitespace or control characters.
 */
export function checkGitUrl(gitUrl: string, localAllowed: boolean): { ok: true; kind: GitUrlKind } | { ok: false; message: string } {
  if (gitUrl.length === 0) return { ok: false, message: 'git_url is empty.' };
  if (gitUrl.length > MAX_GIT_URL_LENGTH) return { ok: false, message: `git_url is longer than ${MAX_GIT_URL_LENGTH} characters.` };
  if (gitUrl.startsWith('-')) return { ok: false, message: 'git_url must not start with "-".' };
  if (UNSAFE_CHARS.test(gitUrl)) return { ok: false, message: 'git_url must not contain whitespace or control characters.' };
  if (gitUrl.includes('\\')) return { ok: false, message: 'git_url must not contain backslashes.' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(gitUrl)?.[1]?.toLowerCase();
  if (scheme === undefined) return { ok: false, message: 'git_url must be an absolute https:// URL (ssh and scp-like forms are not supported).' };
  if (scheme === 'file') {
    if (!localAllowed) return { ok: false, message: 'file:// git URLs need GASTOWN_LOCAL_MODEL=allow.' };
    const path = gitUrl.slice('file://'.length);
    if (!path.startsWith('/') || path === '/') return { ok: false, message: 'A file:// git_url must name an absolute repository path.' };
    if (/[?#]/.test(path)) return { ok: false, message: 'git_url must not contain a query or fragment.' };
    if (hasDotSegment(path)) return { ok: false, message: 'git_url must not contain "." or ".." path segments.' };
    return { ok: true, kind: 'file' };
  }
  if (scheme !== 'https' && scheme !== 'http') return { ok: false, message: `git_url scheme "${scheme}" is not supported; use https://.` };
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(gitUrl)?.[1] ?? '';
  if (authority.includes('@')) return { ok: false, message: 'git_url must not contain credentials; the container supplies tokens itself.' };
  let url: URL;
  try {
    url = new URL(gitUrl);
  } catch {
    return { ok: false, message: 'git_url is not a valid URL.' };
  }
  if (url.hostname === '') return { ok: false, message: 'git_url has no host.' };
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(gitUrl)) return { ok: false, message: 'git_url must not contain a query or fragment.' };
  const rawPath = gitUrl.slice(gitUrl.indexOf('://') + 3 + authority.length);
  if (rawPath === '' || rawPath === '/') return { ok: false, message: 'git_url must name a repository path.' };
  if (hasDotSegment(rawPath)) return { ok: false, message: 'git_url must not contain "." or ".." path segments.' };
  if (scheme === 'http' && !LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) {
    return { ok: false, message: 'Plain http:// git URLs are accepted only for loopback hosts.' };
  }
  return { ok: true, kind: scheme };
}

/**
 * A branch name the container may pass to git (`container.md` §9.2): what `git check-ref-format
 * --branch` accepts (run as well, by the git layer) and no leading `-`, whitespace, control
 * characters, `~^:?*[\`, `..` or `@{`, at most 255 characters.
 */
export function checkBranch(field: string, branch: string): Check {
  if (branch.length === 0) return no(`${field} is empty.`);
  if (branch.length > MAX_BRANCH_LENGTH) return no(`${field} is longer than ${MAX_BRANCH_LENGTH} characters.`);
  if (branch.startsWith('-')) return no(`${field} must not start with "-".`);
  if (UNSAFE_CHARS.test(branch)) return no(`${field} must not contain whitespace or control characters.`);
  if (REF_FORBIDDEN.test(branch)) return no(`${field} must not contain any of ~^:?*[\\.`);
  if (branch.includes('..')) return no(`${field} must not contain "..".`);
  if (branch.includes('@{') || branch === '@') return no(`${field} must not contain "@{" or be "@".`);
  if (branch.startsWith('/') || branch.endsWith('/') || branch.includes('//')) return no(`${field} must not have empty path components.`);
  if (branch.endsWith('.')) return no(`${field} must not end with ".".`);
  if (branch === 'HEAD') return no(`${field} must not be HEAD.`);
  for (const part of branch.split('/')) {
    if (part.startsWith('.')) return no(`${field} components must not start with ".".`);
    if (part.endsWith('.lock')) return no(`${field} components must not end with ".lock".`);
  }
  return ok;
}

/** Push options that force, delete, mirror, skip hooks or pick another program or remote. */
const FORBIDDEN_PUSH_FLAG = /^--(force|mirror|delete|prune|all|no-verify|receive-pack|exec|repo|set-upstream|dry-run)(=|$|-)/;

/**
 * The rig's `git_push_flags` the container adds to its pushes. The worker accepts only its
 * allow-list; this is the container's own guard: long options (`--name` or `--name=value` of
 * `[a-z0-9-]`) that neither force, delete nor change the remote or program. Refused ones are
 * returned so the caller can log them.
 */
export function splitPushFlags(flags: readonly string[]): { accepted: string[]; refused: string[] } {
  const accepted: string[] = [];
  const refused: string[] = [];
  for (const flag of flags) {
    const shapeOk = /^--[a-z][a-z0-9-]*(=[a-z0-9-]+)?$/.test(flag);
    (shapeOk && !FORBIDDEN_PUSH_FLAG.test(flag) ? accepted : refused).push(flag);
  }
  return { accepted, refused };
}

/** A `.` or `..` segment, also percent-encoded (URL parsing would fold it away). */
function hasDotSegment(rawPath: string): boolean {
  return /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath);
}

/** Throws `WorkspaceInputError` unless `check` passed. */
export function mustPass(check: Check | { ok: false; message: string } | { ok: true; kind: GitUrlKind }): void {
  if (!check.ok) throw new WorkspaceInputError(check.message);
}

/** An input the workspaces refuse (bad id, URL, branch or path): never retried. */
export class WorkspaceInputError extends Error {
  override readonly name = 'WorkspaceInputError';
}
