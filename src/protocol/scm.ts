/**
 * Git-hosting results that travel in town event payloads (`scm.md` §2, §4, §5): the token-chain
 * trace, `PrStatusOutcome` (one PR status check) and `PrFeedback` (the GitHub feedback check).
 * Produced by `src/town/scm/` (the `poll_pr` / `merge_pr` effects) inside `pr_polled`
 * (`events.ts` `PrPolledPayload`); read by the reconciler's `pr_polled` handling.
 */
import { z } from 'zod';

/** Where the token chain looked (`scm.md` §2). */
export const GitTokenSource = z.enum(['github_cli_pat', 'integration', 'stored']);
export type GitTokenSource = z.infer<typeof GitTokenSource>;
/** What it found there. */
export const GitTokenOutcome = z.enum(['used', 'absent', 'empty', 'error', 'unbound']);
export type GitTokenOutcome = z.infer<typeof GitTokenOutcome>;

/** One source the chain tried; `detail` is redacted text and never holds a token. */
export const GitTokenTraceEntry = z.object({
  source: GitTokenSource,
  outcome: GitTokenOutcome,
  detail: z.string().max(500).optional(),
});
export type GitTokenTraceEntry = z.infer<typeof GitTokenTraceEntry>;

/** The state of a PR as Gastown reads it. */
export const PrState = z.enum(['open', 'merged', 'closed']);
export type PrState = z.infer<typeof PrState>;
/** GitHub `mergeable_state` `dirty|blocked|unknown`, everything else `clean`; GitLab conflicts → `dirty`. */
export const PrMergeable = z.enum(['clean', 'dirty', 'blocked', 'unknown']);
export type PrMergeable = z.infer<typeof PrMergeable>;

/** A successful status check. */
export const PrStatusOk = z.object({
  ok: z.literal(true),
  state: PrState,
  mergeable: PrMergeable,
  head_sha: z.string().min(1).max(64),
  base_ref: z.string().min(1).max(255),
  is_draft: z.boolean(),
});
export type PrStatusOk = z.infer<typeof PrStatusOk>;

/** Why a status check failed, with the fields each kind carries (`scm.md` §4). */
export const PrStatusFailure = z.discriminatedUnion('kind', [
  z.object({ ok: z.literal(false), kind: z.literal('no_token'), trace: z.array(GitTokenTraceEntry) }),
  /** `status` 0 = network error or timeout; `transient` for ≥ 500, 429 and 0. */
  z.object({ ok: z.literal(false), kind: z.literal('http_error'), status: z.number().int().min(0).max(599), transient: z.boolean() }),
  z.object({ ok: z.literal(false), kind: z.literal('invalid_response'), reason: z.enum(['json_parse', 'schema_mismatch']) }),
  z.object({ ok: z.literal(false), kind: z.literal('unrecognized_url') }),
  z.object({ ok: z.literal(false), kind: z.literal('host_mismatch'), pr_host: z.string().max(255), rig_host: z.string().max(255) }),
]);
export type PrStatusFailure = z.infer<typeof PrStatusFailure>;
export type PrStatusFailureKind = PrStatusFailure['kind'];

/** `checkPrStatus`'s result: the PR, or why it could not be read. */
export const PrStatusOutcome = z.union([PrStatusOk, PrStatusFailure]);
export type PrStatusOutcome = z.infer<typeof PrStatusOutcome>;

/**
 * Feedback of an open GitHub PR at its head commit (`scm.md` §5). `unresolved_threads` is also
 * set when there are more threads than one page (conservative); `has_unchecked_runs` when GitHub
 * reports more check runs or statuses than it returned (never passing, not a failure).
 */
export const PrFeedbackOk = z.object({
  ok: z.literal(true),
  /** GraphQL `reviewDecision` (`APPROVED`, `CHANGES_REQUESTED`, `REVIEW_REQUIRED`) or null. */
  review_decision: z.string().max(64).nullable(),
  /** GraphQL `mergeStateStatus` (`CLEAN`, `BLOCKED`, …), for diagnostics. */
  merge_state_status: z.string().max(64).nullable(),
  is_draft: z.boolean(),
  unresolved_threads: z.boolean(),
  failing_checks: z.boolean(),
  pending_checks: z.boolean(),
  has_unchecked_runs: z.boolean(),
  /** `!failing_checks && !pending_checks && !has_unchecked_runs`. */
  all_checks_pass: z.boolean(),
  /** `review_decision == REVIEW_REQUIRED`. */
  awaiting_approval: z.boolean(),
  /** `review_decision == CHANGES_REQUESTED`. */
  changes_requested: z.boolean(),
});
export type PrFeedbackOk = z.infer<typeof PrFeedbackOk>;

/** A feedback check that could not complete: treated as unknown (no follow-up, timer reset). */
export const PrFeedbackError = z.object({ ok: z.literal(false), error: z.string().max(500) });
export type PrFeedbackError = z.infer<typeof PrFeedbackError>;

export const PrFeedback = z.discriminatedUnion('ok', [PrFeedbackOk, PrFeedbackError]);
export type PrFeedback = z.infer<typeof PrFeedback>;

/**
 * What one `poll_pr` effect reports (`scm.md` §4): the status outcome and, for an open GitHub PR
 * of a rig with auto-resolve or auto-merge on, the feedback. The exact shape of `events.ts`
 * `PrPolledPayload`.
 */
export const PrPollReport = z.object({ outcome: PrStatusOutcome, feedback: PrFeedback.optional() });
export type PrPollReport = z.infer<typeof PrPollReport>;
