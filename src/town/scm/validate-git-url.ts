/**
 * Rig `git_url` validation (`domain.md` §2, `http-api.md` POST T`/rigs`) and the small URL checks
 * the other scm parsers share (unsafe characters, loopback hosts). Called by the rig routes before
 * a rig is stored, and by `parse-repo-url.ts` / `parse-pr-url.ts`.
 */

/** Outcome of `validateRigGitUrl`; `message` is one sentence and never echoes the URL. */
export type GitUrlCheck = { ok: true } | { ok: false; message: string };

/** Hostnames (as `URL.hostname` spells them) that count as loopback. */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/** Longest git URL accepted; a bound on what is stored and later handed to git. */
export const MAX_GIT_URL_LENGTH = 2048;

/** True for `127.0.0.1`, `localhost` and `[::1]` (case-insensitive, without port). */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_HOSTNAMES.includes(hostname.toLowerCase());
}

/**
 * True when the text holds whitespace or control characters. Checked on the raw string because
 * the WHATWG URL parser silently strips tabs, newlines and edge spaces.
 */
export function hasUnsafeChars(text: string): boolean {
  return /[\s\u0000-\u001f\u007f-\u009f]/.test(text);
}

/** True when a raw path holds a `.` or `..` segment (also percent-encoded), which URL parsing would fold away. */
export function hasDotSegment(rawPath: string): boolean {
  return /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath);
}

const SSH_SCHEME = /^(ssh|git\+ssh|ssh\+git):/i;
// scp-like `user@host:path` or `host.tld:path`: a colon, not followed by `//`, after an `@` or `.`.
const SCP_LIKE = /^[^/:]*[@.][^/:]*:(?!\/\/)/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// scheme://authority/path, with the query and fragment (if any) captured so they can be refused.
const HIERARCHICAL = /^([a-z]+):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

/**
 * Checks a rig `git_url`: `https://host/path` without userinfo, query or fragment; `file:///abs`
 * and loopback `http://` only when `development`; never ssh, a leading `-`, whitespace or control
 * characters.
 */
export function validateRigGitUrl(gitUrl: string, development: boolean): GitUrlCheck {
  if (gitUrl.length === 0) return fail('The git URL is empty.');
  if (gitUrl.length > MAX_GIT_URL_LENGTH) return fail(`The git URL is longer than ${MAX_GIT_URL_LENGTH} characters.`);
  if (gitUrl.startsWith('-')) return fail('The git URL must not start with "-".');
  if (hasUnsafeChars(gitUrl)) return fail('The git URL must not contain whitespace or control characters.');
  if (gitUrl.includes('\\')) return fail('The git URL must not contain backslashes.');
  if (SSH_SCHEME.test(gitUrl) || SCP_LIKE.test(gitUrl)) {
    return fail('SSH git URLs are not supported (Gastown manages tokens, not keys); use an https:// URL.');
  }
  const scheme = SCHEME.exec(gitUrl)?.[1]?.toLowerCase();
  if (scheme === undefined) return fail('The git URL must be an absolute https:// URL.');
  if (scheme === 'file') return checkFileUrl(gitUrl, development);
  if (scheme !== 'https' && scheme !== 'http') {
    return fail(`The git URL scheme "${scheme}:" is not supported; use https://.`);
  }
  return checkWebUrl(gitUrl, scheme, development);
}

function checkWebUrl(gitUrl: string, scheme: 'https' | 'http', development: boolean): GitUrlCheck {
  const m = HIERARCHICAL.exec(gitUrl);
  if (m === null) return fail(`The git URL must have the form ${scheme}://host/path.`);
  const authority = m[2] ?? '';
  const path = m[3] ?? '';
  // Userinfo first: whatever else is wrong, a URL carrying credentials must not be echoed or kept.
  if (authority.includes('@')) return fail('The git URL must not contain credentials (user:password@); Gastown supplies tokens itself.');
  if (m[4] !== undefined) return fail('The git URL must not contain a query string.');
  if (m[5] !== undefined) return fail('The git URL must not contain a fragment.');
  let url: URL;
  try {
    url = new URL(gitUrl);
  } catch {
    return fail('The git URL is not a valid URL.');
  }
  if (url.hostname === '') return fail('The git URL has no host.');
  if (scheme === 'http') {
    if (!development) return fail('Plain http:// git URLs are accepted only in development; use https://.');
    if (!isLoopbackHostname(url.hostname)) {
      return fail('Plain http:// git URLs are accepted only for loopback hosts (127.0.0.1, localhost, [::1]); use https://.');
    }
  }
  if (path === '' || path === '/') return fail('The git URL must include a repository path after the host.');
  if (hasDotSegment(path)) return fail('The git URL path must not contain "." or ".." segments.');
  return { ok: true };
}

function checkFileUrl(gitUrl: string, development: boolean): GitUrlCheck {
  if (!development) return fail('file:// git URLs are accepted only in development.');
  if (!gitUrl.toLowerCase().startsWith('file:///')) {
    return fail('A file git URL must name an absolute local path: file:///abs/path.');
  }
  const path = gitUrl.slice('file://'.length);
  if (path === '/') return fail('A file git URL must name a repository path, not the root.');
  if (path.includes('?')) return fail('The git URL must not contain a query string.');
  if (path.includes('#')) return fail('The git URL must not contain a fragment.');
  if (hasDotSegment(path)) return fail('The git URL path must not contain "." or ".." segments.');
  return { ok: true };
}

function fail(message: string): GitUrlCheck {
  return { ok: false, message };
}
