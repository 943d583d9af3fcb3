/**
 * `parseRepoUrl` (`scm.md` §1): a rig `git_url` → provider, host, owner/repo and API bases, plus
 * `detectProvider` and `defaultMergeStrategy` (`domain.md` §8). Called when a rig is created,
 * before PR polling and token routing (a token only ever goes to the returned `api_base`).
 */
import type { Provider, RepoRef, ScmHostConfig } from './repo-ref.ts';
import { hasDotSegment, hasUnsafeChars, isLoopbackHostname } from './validate-git-url.ts';

// scheme://authority/path with no query or fragment; the authority may not carry userinfo.
const REPO_URL = /^(https?):\/\/([^/?#@]+)(\/[^?#]*)$/i;
// Owner, group and repository names on GitHub and GitLab.
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

const GITHUB_HOST = 'github.com';
const GITHUB_API = 'https://api.github.com';
const GITLAB_HOST = 'gitlab.com';
const GITLAB_WEB = 'https://gitlab.com';

/** A configured API/instance URL, or null when absent or not safe to send a token to. */
interface ConfiguredBase {
  url: URL;
  /** Normalised origin plus path, without a trailing slash. */
  text: string;
  /** Path segments of the configured URL (a GitLab instance may live under a prefix). */
  prefix: string[];
}

/**
 * Parses `https://host[:port]/owner/repo[.git]` (GitLab: nested groups; development: loopback
 * `http://`). Unknown hosts give provider `none` with `api_base: ''`; anything unparsable, ssh,
 * userinfo, query or fragment gives null. A GitHub URL must have exactly `owner/repo`.
 */
export function parseRepoUrl(gitUrl: string, cfg: ScmHostConfig): RepoRef | null {
  if (gitUrl.startsWith('-') || hasUnsafeChars(gitUrl) || gitUrl.includes('\\')) return null;
  const m = REPO_URL.exec(gitUrl);
  const scheme = m?.[1]?.toLowerCase();
  const rawPath = m?.[3];
  if (m === null || scheme === undefined || rawPath === undefined) return null;
  const url = tryUrl(gitUrl);
  if (url === null || url.hostname === '') return null;
  if (scheme === 'http' && !(cfg.development && isLoopbackHostname(url.hostname))) return null;
  const host = url.host.toLowerCase();
  const segments = splitRepoPath(rawPath);
  if (segments === null) return null;
  const origin = `${scheme}://${host}`;

  const ghe = configuredBase(cfg.github_api_url, cfg.development);
  const isGhe = ghe !== null && host !== GITHUB_HOST && ghe.url.host.toLowerCase() === host;
  if (host === GITHUB_HOST || isGhe) {
    const [owner, repo] = segments;
    if (segments.length !== 2 || owner === undefined || repo === undefined) return null;
    const apiBase = isGhe ? ghe.text : GITHUB_API;
    const graphqlUrl = isGhe ? `${ghe.url.origin}/api/graphql` : `${GITHUB_API}/graphql`;
    const path = `${owner}/${repo}`;
    return { provider: 'github', host, owner, repo, path, web_base: origin, api_base: apiBase, graphql_url: graphqlUrl };
  }

  const gl = configuredBase(cfg.gitlab_instance_url, cfg.development);
  const isSelfManaged = gl !== null && gl.url.host.toLowerCase() === host;
  if (host === GITLAB_HOST || isSelfManaged) {
    const instance = isSelfManaged ? gl.text : GITLAB_WEB;
    const prefix = isSelfManaged ? gl.prefix : [];
    // A self-managed instance under a path prefix serves projects below that prefix.
    if (!prefix.every((p, i) => segments[i] === p)) return null;
    return splitOwner(segments.slice(prefix.length), (owner, repo, path) => ({
      provider: 'gitlab',
      host,
      owner,
      repo,
      path,
      web_base: instance,
      api_base: `${instance}/api/v4`,
    }));
  }

  return splitOwner(segments, (owner, repo, path) => ({ provider: 'none', host, owner, repo, path, web_base: origin, api_base: '' }));
}

/** The provider of a rig URL; `none` for `file://`, unknown hosts and anything unparsable. */
export function detectProvider(gitUrl: string, cfg: ScmHostConfig): Provider {
  return parseRepoUrl(gitUrl, cfg)?.provider ?? 'none';
}

/** The rig's default `merge_strategy` (`domain.md` §8): `pr` on a GitHub/GitLab host, else `direct`. */
export function defaultMergeStrategy(gitUrl: string, cfg: ScmHostConfig): 'pr' | 'direct' {
  return detectProvider(gitUrl, cfg) === 'none' ? 'direct' : 'pr';
}

/** Path segments with one trailing `/` and a final `.git` removed; null when malformed or < 2. */
function splitRepoPath(rawPath: string): string[] | null {
  if (hasDotSegment(rawPath)) return null;
  const trimmed = rawPath.endsWith('/') ? rawPath.slice(1, -1) : rawPath.slice(1);
  const segments = trimmed.split('/');
  const last = segments.pop();
  if (last === undefined) return null;
  const repo = last.endsWith('.git') ? last.slice(0, -'.git'.length) : last;
  segments.push(repo);
  if (segments.length < 2 || !segments.every((s) => SEGMENT.test(s))) return null;
  return segments;
}

function splitOwner(segments: string[], build: (owner: string, repo: string, path: string) => RepoRef): RepoRef | null {
  const repo = segments[segments.length - 1];
  if (segments.length < 2 || repo === undefined) return null;
  const owner = segments.slice(0, -1).join('/');
  return build(owner, repo, `${owner}/${repo}`);
}

/**
 * Parses a configured `github_api_url` / `gitlab_instance_url`. Ignored (null) unless https, or
 * loopback http in development, without userinfo, query or fragment: a token must never be sent
 * in clear text to a remote host because of a bad config value.
 */
function configuredBase(value: string | null | undefined, development: boolean): ConfiguredBase | null {
  if (value === null || value === undefined || hasUnsafeChars(value)) return null;
  const url = tryUrl(value);
  if (url === null || url.hostname === '' || url.username !== '' || url.password !== '') return null;
  if (value.includes('?') || value.includes('#')) return null;
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && development && isLoopbackHostname(url.hostname));
  if (!secure) return null;
  const prefix = url.pathname.split('/').filter((s) => s !== '');
  const text = prefix.length === 0 ? url.origin : `${url.origin}/${prefix.join('/')}`;
  return { url, text, prefix };
}

function tryUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
