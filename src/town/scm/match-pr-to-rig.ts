/**
 * `matchPrToRig` (`scm.md` §1): does a parsed PR URL belong to the rig's repository? Called before
 * a `gt_done` `pr_url` is stored and before any poll, so a token never goes to another host.
 */
import type { PrRef } from './parse-pr-url.ts';
import type { RepoRef } from './repo-ref.ts';

/** Outcome of `matchPrToRig`; any mismatch (host, provider, owner/repo) is `host_mismatch`. */
export type PrRigMatch = { ok: true } | { ok: false; kind: 'host_mismatch'; pr_host: string; rig_host: string };

/**
 * Hosts must be equal (case-insensitive, port significant) and the providers the same; then owner
 * and repo must be equal case-insensitively on GitHub, and the project path exactly on GitLab.
 * A rig with provider `none` matches no PR.
 */
export function matchPrToRig(pr: PrRef, rig: RepoRef): PrRigMatch {
  const prHost = pr.host.toLowerCase();
  const rigHost = rig.host.toLowerCase();
  const mismatch: PrRigMatch = { ok: false, kind: 'host_mismatch', pr_host: prHost, rig_host: rigHost };
  if (prHost !== rigHost || pr.provider !== rig.provider) return mismatch;
  if (pr.provider === 'github') {
    const same = pr.owner.toLowerCase() === rig.owner.toLowerCase() && pr.repo.toLowerCase() === rig.repo.toLowerCase();
    return same ? { ok: true } : mismatch;
  }
  return pr.path === rig.path ? { ok: true } : mismatch;
}
