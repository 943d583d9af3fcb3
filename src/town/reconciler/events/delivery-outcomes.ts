/**
 * Delivery effect outcomes and the container's eviction notice (`reconciler.md` §3):
 * `mail_delivered` (messages closed, a waiting mayor → working), `nudge_sent` (nudge delivered)
 * and `container_eviction` (drain bookkeeping, `container.md` §11; a live mayor → idle).
 * Called by `applyEvent`.
 */
import type { ContainerEvictionPayload, MailDeliveredPayload, NudgeSentPayload } from '../../../protocol/events.ts';
import type { Action } from '../actions.ts';
import { reason } from '../mr-facts.ts';
import { apply, warn, type EventInput, type EventResult } from './event-result.ts';

/** ok → each still-open message `closed`; the recipient mayor, if `waiting`, → `working`. */
export function mailDelivered(input: EventInput<MailDeliveredPayload>): EventResult {
  const { view, payload, agent } = input;
  if (!payload.ok) return warn('mail delivery failed: the messages stay open');
  const out: Action[] = [];
  for (const id of payload.message_ids) {
    const message = view.bead(id);
    if (message === null || message.type !== 'message' || message.status !== 'open') continue;
    out.push({ type: 'transition_bead', bead_id: id, from: 'open', to: 'closed', reason: reason('delivered', 'delivered to the recipient') });
  }
  if (agent !== null && agent.role === 'mayor' && agent.status === 'waiting') {
    out.push({ type: 'transition_agent', agent_id: agent.id, from: 'waiting', to: 'working', reason: reason('mail_delivered', 'mail delivered to the mayor') });
  }
  return apply(out);
}

/** ok → the pending nudge is `delivered`; else it stays pending until it expires. */
export function nudgeSent(input: EventInput<NudgeSentPayload>): EventResult {
  const { view, payload } = input;
  if (!payload.ok) return warn('nudge delivery failed: it stays pending until it expires');
  if (!view.pendingNudges(null).some((n) => n.id === payload.nudge_id)) return warn(`nudge ${payload.nudge_id} is no longer pending`);
  return apply([{ type: 'mark_nudge', nudge_id: payload.nudge_id, status: 'delivered' }]);
}

/** The drain starts (once per nonce); a `working`/`waiting` mayor → `idle`; the notice is recorded. */
export function containerEviction(input: EventInput<ContainerEvictionPayload>): EventResult {
  const { view, payload, now } = input;
  const out: Action[] = [];
  const drain = view.drain();
  if (!drain.draining || drain.drain_nonce !== payload.drain_nonce) {
    out.push({
      type: 'set_drain',
      patch: {
        draining: true,
        drain_nonce: payload.drain_nonce,
        drain_started_at: now,
        ...(payload.container_instance_id === undefined ? {} : { container_instance_id: payload.container_instance_id }),
      },
    });
  }
  const mayor = view.mayor();
  if (mayor !== null && (mayor.status === 'working' || mayor.status === 'waiting')) {
    out.push({ type: 'transition_agent', agent_id: mayor.id, from: mayor.status, to: 'idle', reason: reason('container_eviction', 'the container is draining') });
  }
  out.push({
    type: 'record_metric',
    name: 'container_eviction',
    data: { drain_nonce: payload.drain_nonce, container_instance_id: payload.container_instance_id ?? null, reason: payload.reason ?? null },
  });
  return apply(out);
}
