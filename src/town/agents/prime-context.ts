/**
 * The `context` of a prime (`http-api.md` §4.3, `domain.md` §2 `followup_context`), built from the
 * agent's last checkpoint and its hooked bead's labels and follow-up context: a follow-up issue's
 * context under its kind (`gt:rework` → `rework`, `gt:pr-feedback` → `pr_feedback`,
 * `gt:pr-conflict` → `pr_conflict`), plus `conflict_files` (a merge conflict) and `eviction` (WIP
 * saved at a container eviction) whenever the bead carries them. Pure; read by `prime.ts`.
 */
import { EvictionNote, type PrimeContext } from '../../protocol/agent.ts';
import type { JsonObject } from '../../protocol/common.ts';

/** The follow-up labels whose context prime shows, and the key it goes under. */
const FOLLOWUP_KEYS = [
  ['gt:rework', 'rework'],
  ['gt:pr-feedback', 'pr_feedback'],
  ['gt:pr-conflict', 'pr_conflict'],
] as const;

/** Keys of `followup_context` shown on their own, not inside the follow-up's context. */
const OWN_KEYS = new Set(['conflict_files', 'eviction']);

export interface PrimeInputs {
  /** The agent's stored checkpoint, or null. */
  checkpoint: JsonObject | null;
  /** The hooked bead's labels and `followup_context` (null without a hook or a context). */
  labels: readonly string[];
  followup: JsonObject | null;
}

function stringArray(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
}

export function primeContext(inputs: PrimeInputs): PrimeContext {
  const context: PrimeContext = {};
  if (inputs.checkpoint !== null) context.checkpoint = inputs.checkpoint;
  const followup = inputs.followup;
  if (followup === null) return context;
  const shared = Object.fromEntries(Object.entries(followup).filter(([key]) => !OWN_KEYS.has(key)));
  for (const [label, key] of FOLLOWUP_KEYS) {
    if (inputs.labels.includes(label)) context[key] = shared;
  }
  const files = stringArray(followup.conflict_files);
  if (files !== null) context.conflict_files = files;
  const eviction = EvictionNote.safeParse(followup.eviction);
  if (eviction.success) context.eviction = eviction.data;
  return context;
}
