/**
 * The shapes inside a `pr_polled` payload (`scm.md` §4–§5) as the reconciler reads them: the
 * status outcome of `checkPrStatus` and the feedback of `checkPrFeedback`. This is the seam with
 * the git-hosting work: when it publishes exact schemas, they replace these. Read by `pr-polled.ts`.
 */
import { z } from 'zod';

/** A successful status check. */
export const PrStatusOk = z.object({
  ok: z.literal(true),
  state: z.enum(['open', 'merged', 'closed']),
  mergeable: z.enum(['clean', 'dirty', 'blocked', 'unknown']).default('unknown'),
  head_sha: z.string().optional(),
  base_ref: z.string().optional(),
  is_draft: z.boolean().default(false),
});

/** A failed status check; `transient` is set for HTTP ≥ 500, 429 and 0 (network or timeout). */
export const PrStatusError = z.object({
  ok: z.literal(false),
  kind: z.enum(['no_token', 'http_error', 'invalid_response', 'unrecognized_url', 'host_mismatch']),
  status: z.number().int().optional(),
  transient: z.boolean().optional(),
  reason: z.string().optional(),
  /** The token chain tried (`describeTrace` text, or the raw entries). */
  trace: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]).optional(),
  pr_host: z.string().optional(),
  rig_host: z.string().optional(),
});
export type PrStatusError = z.infer<typeof PrStatusError>;

/** `PrStatusOutcome` (`scm.md` §4). */
export const PrStatusOutcome = z.discriminatedUnion('ok', [PrStatusOk, PrStatusError]);
export type PrStatusOutcome = z.infer<typeof PrStatusOutcome>;

/**
 * Feedback of an open GitHub PR (`scm.md` §5). `error` set means the check failed: the reconciler
 * treats it as unknown (no follow-up, auto-merge timer reset).
 */
export const PrFeedback = z.object({
  error: z.string().optional(),
  review_decision: z.string().nullable().optional(),
  awaiting_approval: z.boolean().optional(),
  changes_requested: z.boolean().optional(),
  unresolved_threads: z.boolean().default(false),
  failing_checks: z.boolean().default(false),
  all_checks_pass: z.boolean().default(false),
  has_unchecked_runs: z.boolean().default(false),
});
export type PrFeedback = z.infer<typeof PrFeedback>;
