/**
 * Effects: the network half of actions, run after the tick's transaction commits
 * (`reconciler.md` §2 phase 5, §4). An `EffectExecutor` turns an intent into outcome events
 * (written back to `town_events`); the container and git-host executors plug in here, tests use
 * a fake. Each intent has its own timeout; a throw or timeout becomes an outcome, never a crash.
 */
import type { EffectIntent } from '../context.ts';
import type { NewTownEvent } from '../events/town-events.ts';

/** Frozen context of one effect run (`reconciler.md` §4). */
export interface EffectContext {
  readonly townId: string;
  readonly now: number;
  /** Epoch ms after which the effect is abandoned. */
  readonly deadline: number;
}

export type ObservedStatus = 'running' | 'exited' | 'not_found' | 'unknown';

export interface EffectExecutor {
  /** Performs one intent; returns the events its outcome produces (may be none). */
  run(intent: EffectIntent, ctx: EffectContext): Promise<NewTownEvent[]>;
  /** The observe phase: what the container says about working agents. */
  observe(agentIds: readonly string[], ctx: EffectContext): Promise<Map<string, { status: ObservedStatus; exit_reason?: string }>>;
}

export interface EffectRunResult {
  events: NewTownEvent[];
  ok: Record<string, number>;
  failed: Record<string, number>;
}

/** Outcome events for an intent whose executor threw or timed out. */
export function failureOutcome(intent: EffectIntent, message: string): NewTownEvent[] {
  switch (intent.kind) {
    case 'dispatch':
      // The agent stays working: the request may have reached the container (seed 000 §5).
      return [{ event_type: 'dispatch_result', agent_id: intent.agent_id, bead_id: intent.bead_id, payload: { dispatch_id: intent.dispatch_id, ok: false, error: { phase: 'request', message } } }];
    case 'deliver_mail':
      return [{ event_type: 'mail_delivered', agent_id: intent.agent_id, payload: { message_ids: intent.message_ids, ok: false } }];
    case 'deliver_nudge':
      return [{ event_type: 'nudge_sent', agent_id: intent.agent_id, payload: { nudge_id: intent.nudge_id, ok: false } }];
    case 'merge_pr':
      return [{ event_type: 'pr_merge_attempted', bead_id: intent.bead_id, payload: { ok: false, error: message } }];
    case 'poll_pr':
      // Like a network error or timeout (`scm.md` §4): it counts as a transient failure.
      return [{ event_type: 'pr_polled', bead_id: intent.bead_id, payload: { outcome: { ok: false, kind: 'http_error', status: 0, transient: true } } }];
    case 'stop_agent':
    case 'git_merge':
      return [];
  }
}

/**
 * Per-intent budgets. `poll_pr`: a 10 s status read, then the feedback reads (10 s, in
 * parallel). `merge_pr`: status, feedback, then up to three merge calls (squash → merge →
 * rebase). The git-host clients stop at the effect's deadline whatever their own timeout.
 */
const TIMEOUT_MS: Record<EffectIntent['kind'], number> = {
  dispatch: 60_000,
  stop_agent: 10_000,
  poll_pr: 25_000,
  git_merge: 10_000,
  merge_pr: 60_000,
  deliver_nudge: 10_000,
  deliver_mail: 10_000,
};

class EffectTimeout extends Error {
  override readonly name = 'EffectTimeout';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EffectTimeout(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Runs every intent in parallel (`Promise.allSettled`), each with its own timeout. */
export async function runEffects(executor: EffectExecutor, intents: readonly EffectIntent[], ctx: Omit<EffectContext, 'deadline'>): Promise<EffectRunResult> {
  const result: EffectRunResult = { events: [], ok: {}, failed: {} };
  const settled = await Promise.allSettled(
    intents.map((intent) => withTimeout(executor.run(intent, Object.freeze({ ...ctx, deadline: ctx.now + TIMEOUT_MS[intent.kind] })), TIMEOUT_MS[intent.kind])),
  );
  settled.forEach((s, i) => {
    const intent = intents[i];
    if (intent === undefined) return;
    if (s.status === 'fulfilled') {
      result.events.push(...s.value);
      result.ok[intent.kind] = (result.ok[intent.kind] ?? 0) + 1;
    } else {
      const message = s.reason instanceof Error ? s.reason.message : 'effect failed';
      result.events.push(...failureOutcome(intent, message.slice(0, 500)));
      result.failed[intent.kind] = (result.failed[intent.kind] ?? 0) + 1;
    }
  });
  return result;
}
