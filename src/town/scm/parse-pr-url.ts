/**
 * `parsePrUrl` (`scm.md` §1): a pull/merge request URL reported by an agent (`gt_done pr_url`) →
 * provider, host, project path and number. Called by the `P/done` handling before a `pr_url` is
 * stored; `match-pr-to-rig.ts` then checks it belongs to the rig.
 */
import { hasDotSegment, hasUnsafeChars, isLoopbackHostname } from './validate-git-url.ts';

/** A parsed PR (GitHub) or MR (GitLab) URL. */
export interface PrRef {
  provider: 'github' | 'gitlab';
  /** Lower-case host; a non-default port is kept. */
  host: string;
  /** Everything before the last project segment (GitLab groups may nest). */
  owner: string;
  repo: string;
  /** `owner/repo`, the GitLab project path. */
  path: string;
  /** PR number (GitHub) or MR iid (GitLab), a positive safe integer. */
  number: number;
}

/** Outcome of `parsePrUrl`. */
export type PrUrlParse = { ok: true; pr: PrRef } | { ok: false; kind: 'unrecognized_url' };

// scheme://authority/path, no userinfo, query or fragment.
const PR_URL = /^(https?):\/\/([^/?#@]+)(\/[^?#]*)$/i;
const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const NUMBER = /^[1-9][0-9]{0,15}$/;

/**
 * GitHub `https://host/owner/repo/pull/<n>` or GitLab `https://host/<path…>/-/merge_requests/<iid>`
 * (one trailing `/` tolerated). `http://` only on loopback hosts and only when `development`
 * (default false). Anything else is `unrecognized_url`.
 */
export function parsePrUrl(url: string, development = false): PrUrlParse {
  const unrecognized: PrUrlParse = { ok: false, kind: 'unrecognized_url' };
  if (hasUnsafeChars(url) || url.includes('\\')) return unrecognized;
  const m = PR_URL.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  const rawPath = m?.[3];
  if (scheme === undefined || rawPath === undefined || hasDotSegment(rawPath)) return unrecognized;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return unrecognized;
  }
  if (parsed.hostname === '') return unrecognized;
  if (scheme === 'http' && !(development && isLoopbackHostname(parsed.hostname))) return unrecognized;
  const host = parsed.host.toLowerCase();
  const segments = (rawPath.endsWith('/') ? rawPath.slice(1, -1) : rawPath.slice(1)).split('/');
  const pr = githubPr(host, segments) ?? gitlabMr(host, segments);
  return pr === null ? unrecognized : { ok: true, pr };
}

function githubPr(host: string, segments: string[]): PrRef | null {
  const [owner, repo, pull, num] = segments;
  if (segments.length !== 4 || owner === undefined || repo === undefined || num === undefined) return null;
  if (pull !== 'pull' || !SEGMENT.test(owner) || !SEGMENT.test(repo)) return null;
  const number = toNumber(num);
  return number === null ? null : { provider: 'github', host, owner, repo, path: `${owner}/${repo}`, number };
}

function gitlabMr(host: string, segments: string[]): PrRef | null {
  const dash = segments.indexOf('-');
  // `<owner…>/<repo>/-/merge_requests/<iid>`: at least two project segments before the `-`.
  if (dash < 2 || segments.length !== dash + 3 || segments[dash + 1] !== 'merge_requests') return null;
  const project = segments.slice(0, dash);
  const repo = project[project.length - 1];
  const iid = segments[dash + 2];
  if (repo === undefined || iid === undefined || !project.every((s) => SEGMENT.test(s))) return null;
  const number = toNumber(iid);
  if (number === null) return null;
  const owner = project.slice(0, -1).join('/');
  return { provider: 'gitlab', host, owner, repo, path: `${owner}/${repo}`, number };
}

function toNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
