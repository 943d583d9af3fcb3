/**
 * Rule group 5.6 re-escalation (`escalationRules`, `stepUp`): the 4 h boundary, one severity
 * step per re-escalation up to critical, the cap of 2, and acknowledged ones left alone.
 */
import { describe, expect, it } from 'vitest';
import { escalationRules, stepUp } from '../../../../../src/town/reconciler/rules/escalations.ts';
import { TownBuilder } from '../town-builder.ts';
import { HOUR, NOW, ruleCtx, T, types } from './rule-ctx.ts';

type Seed = Parameters<TownBuilder['escalation']>[0];

function withEscalation(seed: Partial<Seed>): { b: TownBuilder; id: string } {
  const b = new TownBuilder();
  return { b, id: b.escalation({ category: 'stuck_agent', created_at: NOW - 10 * HOUR, ...seed }) };
}

describe('E1: re-escalation', () => {
  it('not 1 ms before 4 h; at exactly 4 h → bump one step + notify the mayor', () => {
    const early = withEscalation({ severity: 'medium', last_escalated_at: NOW - T.RE_ESCALATE_MS + 1 });
    expect(escalationRules(ruleCtx(early.b))).toEqual([]);
    const due = withEscalation({ severity: 'medium', last_escalated_at: NOW - T.RE_ESCALATE_MS });
    expect(escalationRules(ruleCtx(due.b))).toEqual([
      { type: 'bump_escalation', escalation_id: due.id, severity: 'high' },
      { type: 'notify_mayor', subject: expect.stringContaining('high'), body: expect.any(String), parent_bead_id: due.id },
    ]);
  });

  const ladder: Array<[from: 'low' | 'medium' | 'high' | 'critical', to: string]> = [
    ['low', 'medium'],
    ['medium', 'high'],
    ['high', 'critical'],
    ['critical', 'critical'],
  ];
  for (const [from, to] of ladder) {
    it(`${from} → ${to}`, () => {
      expect(stepUp(from)).toBe(to);
      const { b } = withEscalation({ severity: from, last_escalated_at: NOW - 5 * HOUR });
      expect(escalationRules(ruleCtx(b))[0]).toMatchObject({ type: 'bump_escalation', severity: to });
    });
  }

  it('at most MAX_RE_ESCALATIONS (2): count 1 still re-escalates, count 2 does not', () => {
    const once = withEscalation({ re_escalation_count: T.MAX_RE_ESCALATIONS - 1, last_escalated_at: NOW - 5 * HOUR });
    expect(types(escalationRules(ruleCtx(once.b)))).toEqual(['bump_escalation', 'notify_mayor']);
    const capped = withEscalation({ re_escalation_count: T.MAX_RE_ESCALATIONS, last_escalated_at: NOW - 5 * HOUR });
    expect(escalationRules(ruleCtx(capped.b))).toEqual([]);
  });

  it('leaves acknowledged (open or closed) escalations alone', () => {
    const ack = withEscalation({ acknowledged: true, last_escalated_at: NOW - 5 * HOUR });
    expect(escalationRules(ruleCtx(ack.b))).toEqual([]);
    const closed = withEscalation({ acknowledged: true, status: 'closed', last_escalated_at: NOW - 5 * HOUR });
    expect(escalationRules(ruleCtx(closed.b))).toEqual([]);
  });
});
