/**
 * How the workspaces classify and report git failures (`container.md` §9.3, §9.4): pure
 * classifiers over git's stderr (an auth failure triggers one token refresh; a rejected push one
 * merge restart) and `WorkspaceGitError`, whose message has passed through `redact()`.
 */
import { GitError } from '../git.ts';
import type { Redactor } from '../redact.ts';

/** Git's ways of saying the credentials were refused or missing. */
const AUTH_FAILURE = /\b(401|403)\b|Authentication failed|could not read Username|could not read Password|Invalid username or password/i;
/** Git's ways of saying a push was not a fast-forward of the remote ref. */
const PUSH_REJECTED = /\[rejected\]|non-fast-forward|\(fetch first\)/i;

/** True when a network git command failed on authentication. */
export function isAuthFailure(stderr: string): boolean {
  return AUTH_FAILURE.test(stderr);
}

/** True when a push was refused because the remote ref moved (not fast-forward). */
export function isPushRejected(stderr: string): boolean {
  return PUSH_REJECTED.test(stderr);
}

/** A redacted git failure from the workspaces. `stderr` is redacted too. */
export class WorkspaceGitError extends Error {
  override readonly name = 'WorkspaceGitError';
  readonly stderr: string;
  readonly auth: boolean;
  readonly rejected: boolean;
  constructor(message: string, stderr: string, flags: { auth?: boolean; rejected?: boolean } = {}) {
    super(message);
    this.stderr = stderr;
    this.auth = flags.auth ?? false;
    this.rejected = flags.rejected ?? false;
  }
}

/** `err` as a `WorkspaceGitError` (message and stderr redacted), prefixed with `context`. */
export function redactGitError(err: unknown, redactor: Redactor, context: string): WorkspaceGitError {
  if (err instanceof WorkspaceGitError) return err;
  if (err instanceof GitError) {
    const stderr = redactor.redact(err.stderr);
    return new WorkspaceGitError(redactor.redact(`${context}: ${err.message}`), stderr, {
      auth: isAuthFailure(err.stderr),
      rejected: isPushRejected(err.stderr),
    });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new WorkspaceGitError(redactor.redact(`${context}: ${text}`), '');
}

/** True when `err` is a git failure whose stderr says the push was rejected. */
export function wasRejected(err: unknown): boolean {
  if (err instanceof WorkspaceGitError) return err.rejected;
  return err instanceof GitError && isPushRejected(err.stderr);
}
