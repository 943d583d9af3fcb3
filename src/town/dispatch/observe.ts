/**
 * The observe phase's reading of `GET /agents/:id/status` (`reconciler.md` §2 phase 1): a live
 * record → `running`; exited/failed → `exited` with its reason; 404 → `not_found`; a 503
 * `hydrating`, a timeout, or a record of an older dispatch → `unknown` (staleness decides). Pure.
 */
import { AgentView } from '../../protocol/control.ts';
import { errorCodeOf } from '../../container/control-rules.ts';
import type { ObservedStatus } from '../reconciler/effects.ts';

export interface Observation {
  status: ObservedStatus;
  exit_reason?: string;
}

/** Maps one status reply; `dispatchId` is the agent's current dispatch. */
export function observationOf(res: { status: number; body: unknown }, dispatchId: string | null): Observation {
  if (res.status === 404 && errorCodeOf(res.body) === 'not_found') return { status: 'not_found' };
  if (res.status !== 200 || typeof res.body !== 'object' || res.body === null || !('data' in res.body)) return { status: 'unknown' };
  const view = AgentView.safeParse(res.body.data);
  if (!view.success) return { status: 'unknown' };
  if (dispatchId !== null && view.data.dispatch_id !== dispatchId) return { status: 'unknown' };
  if (view.data.status === 'exited' || view.data.status === 'failed') return { status: 'exited', exit_reason: (view.data.exit_reason ?? view.data.status).slice(0, 200) };
  return { status: 'running' };
}
