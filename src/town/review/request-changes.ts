/**
 * P`/request-changes` (`gt_request_changes`, `reconciler.md` §3 "Request changes"): a refinery
 * hooked to a merge request in review (else 409 `not_hooked`) sends it back. A `gt:rework` issue
 * (titled after the MR's source issue; rig, priority and parent from the MR; `followup_context`
 * = the MR's branch, target and PR plus the feedback and files) blocks the MR; the MR returns to
 * `open`, which unhooks the refinery — it stays `working` until its `gt_done`/exit. Past
 * `MAX_FOLLOWUPS_PER_MR` the MR fails (`followup_cap`, source reopened, high escalation) instead,
 * and the caller answers a 409.
 */
import type { RequestChanges } from '../../protocol/agent.ts';
import type { Bead } from '../../protocol/api.ts';
import { Conflict, serializeError } from '../../errors.ts';
import { first, num, str, strOrNull } from '../db/sql.ts';
import type { TownCtx } from '../context.ts';
import { findBead } from '../beads/bead-rows.ts';
import { insertBead } from '../beads/create-bead.ts';
import { addDependency } from '../beads/dependencies.ts';
import { writeBeadEvent } from '../beads/bead-events.ts';
import { transitionBead } from '../beads/transition.ts';
import { requireBead } from '../commands.ts';
import { cascadeMergeRequest } from '../reconciler/apply/cascades.ts';
import { escalate } from '../reconciler/apply/escalate.ts';
import { liveAgent } from '../reports/agent-access.ts';
import type { RpcResult } from '../rpc-result.ts';

export const REWORK_LABEL = 'gt:rework';

/** The rework issue, or the MR failed at the follow-up cap. */
export type RequestChangesOutcome = { rework_bead: Bead } | { capped: { mr_id: string; max: number } };

/** The rework issue's body: the refinery's feedback, then the files it names. */
export function reworkBody(input: RequestChanges): string {
  const files = input.files ?? [];
  if (files.length === 0) return input.feedback;
  return `${input.feedback}\n\nFiles:\n${files.map((f) => `- ${f}`).join('\n')}`;
}

export function requestChanges(ctx: TownCtx, agentId: string, input: RequestChanges, maxFollowups: number): RequestChangesOutcome {
  const agent = liveAgent(ctx.sql, agentId);
  const mr = agent.hooked_bead_id === null ? null : findBead(ctx.sql, agent.hooked_bead_id);
  if (mr === null || mr.type !== 'merge_request' || mr.status !== 'in_progress') {
    throw new Conflict('not_hooked', 'This refinery holds no merge request in review.', { agent_id: agentId });
  }
  const review = first(ctx.sql, `SELECT branch, target_branch, pr_url, followup_count FROM review_metadata WHERE bead_id = ?`, mr.id);
  const followups = review === null ? 0 : num(review, 'followup_count');
  if (followups + 1 > maxFollowups) {
    transitionBead(ctx, mr.id, 'failed', { from: 'in_progress', reason: { code: 'followup_cap', message: `more than ${maxFollowups} follow-ups were needed` } });
    cascadeMergeRequest(ctx, mr.id, 'failed');
    escalate(ctx, {
      category: 'review_exhausted',
      severity: 'high',
      parent_bead_id: mr.id,
      title: `Follow-up cap reached: ${mr.title}`,
      body: `The merge request needed more than ${maxFollowups} follow-up issues and was failed instead of getting another rework.`,
      source_agent_id: agentId,
    });
    return { capped: { mr_id: mr.id, max: maxFollowups } };
  }
  const source = first(
    ctx.sql,
    `SELECT s.title FROM bead_dependencies d JOIN beads s ON s.bead_id = d.depends_on_bead_id
     WHERE d.bead_id = ? AND d.dependency_type = 'tracks' AND s.type = 'issue' LIMIT 1`,
    mr.id,
  );
  const reworkId = insertBead(ctx, {
    type: 'issue',
    title: `Rework: ${source === null ? mr.title : str(source, 'title')}`.slice(0, 200),
    body: reworkBody(input),
    rig_id: mr.rig_id,
    priority: mr.priority,
    labels: [REWORK_LABEL],
    parent_bead_id: mr.id,
    followup_context: {
      pr_url: review === null ? null : strOrNull(review, 'pr_url'),
      branch: review === null ? null : strOrNull(review, 'branch'),
      target_branch: review === null ? null : strOrNull(review, 'target_branch'),
      feedback: input.feedback,
      files: input.files ?? [],
    },
  });
  addDependency(ctx, mr.id, reworkId, 'blocks', mr.rig_id);
  ctx.sql.run(`UPDATE review_metadata SET followup_count = followup_count + 1 WHERE bead_id = ?`, mr.id);
  writeBeadEvent(ctx, { bead_id: mr.id, rig_id: mr.rig_id, agent_id: agentId, event_type: 'rework_requested', metadata: { rework_bead_id: reworkId, files: input.files?.length ?? 0 } });
  transitionBead(ctx, mr.id, 'open', { from: 'in_progress', reason: { code: 'changes_requested', message: `the refinery requested changes (${reworkId})` } });
  return { rework_bead: requireBead(ctx.sql, reworkId) };
}

/** The route's answer: the rework issue, or a 409 `conflict` once the MR failed at the cap (committed). */
export function reworkOrRefusal(result: RpcResult<RequestChangesOutcome>): RpcResult<{ rework_bead: Bead }> {
  if (!result.ok) return result;
  const outcome = result.value;
  if ('rework_bead' in outcome) return { ok: true, value: { rework_bead: outcome.rework_bead } };
  const refusal = new Conflict('conflict', `The merge request reached its cap of ${outcome.capped.max} follow-ups and was failed; no rework issue was created.`, {
    reason: 'followup_cap',
    merge_request_id: outcome.capped.mr_id,
  });
  return { ok: false, error: serializeError(refusal) };
}
