/**
 * Outcome events of the dispatch effect (`reconciler.md` §6): 201/200 (a duplicate: already
 * running) → `dispatch_result {ok: true}`; anything else → `ok: false` with `{phase, message,
 * status?}` taken from the control server's `start_failed` details when present. Pure.
 */
import type { EffectIntent } from '../context.ts';
import type { NewTownEvent } from '../events/town-events.ts';

type DispatchIntent = Extract<EffectIntent, { kind: 'dispatch' }>;

/** 2xx. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** An error's message, bounded. */
export function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : 'unknown error').slice(0, 500);
}

/** A failed `dispatch_result`; the agent stays working (seed 000 §6a). */
export function failedDispatch(intent: DispatchIntent, error: { phase: string; message: string; status?: number }): NewTownEvent & { payload: { ok: boolean } } {
  return { event_type: 'dispatch_result', agent_id: intent.agent_id, bead_id: intent.bead_id, payload: { dispatch_id: intent.dispatch_id, ok: false, error } };
}

function errorOf(body: unknown): { code: string | null; message: string | null; phase: string | null } {
  const none = { code: null, message: null, phase: null };
  if (typeof body !== 'object' || body === null || !('error' in body)) return none;
  const e: unknown = body.error;
  if (typeof e !== 'object' || e === null) return none;
  const code = 'code' in e && typeof e.code === 'string' ? e.code : null;
  const message = 'message' in e && typeof e.message === 'string' ? e.message : null;
  const details: unknown = 'details' in e ? e.details : null;
  const phase = typeof details === 'object' && details !== null && 'phase' in details && typeof details.phase === 'string' ? details.phase : null;
  return { code, message, phase };
}

/** The `dispatch_result` for a `/agents/start` reply. */
export function dispatchOutcome(intent: DispatchIntent, res: { status: number; body: unknown }): NewTownEvent & { payload: { ok: boolean } } {
  const e = errorOf(res.body);
  if (res.status === 201 || res.status === 200 || (res.status === 409 && e.code === 'already_running')) {
    return { event_type: 'dispatch_result', agent_id: intent.agent_id, bead_id: intent.bead_id, payload: { dispatch_id: intent.dispatch_id, ok: true } };
  }
  const phase = e.phase ?? (e.code === 'container_unavailable' ? 'container' : 'start');
  return failedDispatch(intent, { phase, message: (e.message ?? `the control server answered ${res.status}`).slice(0, 500), status: res.status });
}
