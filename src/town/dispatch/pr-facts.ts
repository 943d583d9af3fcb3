/**
 * What the `poll_pr` and `merge_pr` effects are built from (`scm.md` §4, §7), read from SQL after
 * the tick commits (effects never write SQL): the MR's stored PR URL, its rig's repository
 * (`parseRepoUrl` with the town's hosts), the rig's effective refinery settings, whether the MR
 * was reviewed, its live follow-ups, and the town config the token chain needs. An MR that left
 * the PR phase meanwhile gives null: there is nothing to report.
 */
import type { TownConfig } from '../../protocol/config.ts';
import type { EffectiveRigConfig } from '../config/index.ts';
import type { SqlHandle } from '../db/sql.ts';
import { findTown } from '../records/town-record.ts';
import { liveFollowUpsOf } from '../reconciler/mr-facts.ts';
import { SqlTownView } from '../reconciler/view-sql.ts';
import { parseRepoUrl } from '../scm/parse-repo-url.ts';
import type { RepoRef } from '../scm/repo-ref.ts';

export interface PrEffectFacts {
  config: TownConfig;
  pr_url: string;
  /** The rig's repository; null when its git URL does not parse (nothing may be sent). */
  repo: RepoRef | null;
  refinery: EffectiveRigConfig['refinery'];
  /** The MR's `reviewed_at` is set. */
  reviewed: boolean;
  /** Non-terminal follow-up issues of the MR. */
  live_followups: number;
}

/** The facts of an MR still in the PR phase (`in_progress` with a `pr_url`), else null. */
export function prEffectFacts(sql: SqlHandle, beadId: string, development: boolean): PrEffectFacts | null {
  const town = findTown(sql);
  if (town === null) return null;
  const view = new SqlTownView(sql, development);
  const mr = view.bead(beadId);
  const review = view.review(beadId);
  if (mr === null || mr.type !== 'merge_request' || mr.status !== 'in_progress' || review === null || review.pr_url === null) return null;
  const rig = mr.rig_id === null ? null : view.rig(mr.rig_id);
  if (rig === null) return null;
  const config = town.config;
  const repo = parseRepoUrl(rig.git_url, { github_api_url: config.github_api_url, gitlab_instance_url: config.git_auth.gitlab_instance_url ?? null, development });
  return {
    config,
    pr_url: review.pr_url,
    repo,
    refinery: rig.config.refinery,
    reviewed: review.reviewed_at !== null,
    live_followups: liveFollowUpsOf(view, beadId).length,
  };
}
