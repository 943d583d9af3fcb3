/**
 * Rule group 5.6, re-escalation E1 (`domain.md` §7): an open, unacknowledged escalation not
 * re-raised for `RE_ESCALATE_MS` goes one severity step up (at most `critical`) and the mayor is
 * mailed again, at most `MAX_RE_ESCALATIONS` times. Called by `reconcile` after the messages.
 */
import type { Severity } from '../../../protocol/common.ts';
import type { Action } from '../actions.ts';
import type { RuleContext } from '../types.ts';

const NEXT_SEVERITY: Readonly<Record<Severity, Severity>> = {
  low: 'medium',
  medium: 'high',
  high: 'critical',
  critical: 'critical',
};

/** One step up the severity ladder; `critical` stays `critical`. */
export function stepUp(severity: Severity): Severity {
  return NEXT_SEVERITY[severity];
}

/** E1 for every open escalation, oldest first: `bump_escalation` + `notify_mayor`. */
export function escalationRules(ctx: RuleContext): Action[] {
  const out: Action[] = [];
  for (const esc of ctx.view.openEscalations()) {
    if (esc.status !== 'open' || esc.acknowledged || esc.re_escalation_count >= ctx.t.MAX_RE_ESCALATIONS) continue;
    const last = esc.last_escalated_at ?? esc.created_at;
    const age = ctx.now - last;
    if (age < ctx.t.RE_ESCALATE_MS) continue;
    const severity = stepUp(esc.severity);
    out.push(
      { type: 'bump_escalation', escalation_id: esc.id, severity },
      {
        type: 'notify_mayor',
        subject: `Re-escalated (${severity}): ${esc.category}`,
        body: `Escalation ${esc.id} (${esc.category}${esc.parent_bead_id === null ? '' : `, bead ${esc.parent_bead_id}`}) is still unacknowledged after ${Math.floor(age / 60_000)} min; severity ${esc.severity} → ${severity} (re-escalation ${esc.re_escalation_count + 1} of ${ctx.t.MAX_RE_ESCALATIONS}).`,
        parent_bead_id: esc.id,
      },
    );
  }
  return out;
}
