/**
 * Exhaustive tests of the bead state machine (`domain.md` §2, §3): every (from, to) pair of the
 * five statuses for every bead type, against tables written out here from the spec.
 */
import { describe, expect, it } from 'vitest';
import type { BeadStatus, BeadType } from '../../../../src/protocol/common.ts';
import {
  BEAD_TRANSITIONS,
  TERMINAL_BEAD_STATUSES,
  checkBeadTransition,
  isTerminalBead,
} from '../../../../src/town/machines/bead-machine.ts';

const STATUSES: BeadStatus[] = ['open', 'in_progress', 'in_review', 'closed', 'failed'];
const ID = '3f2a9c1e-0000-4000-8000-000000000001';

/** Literal from the spec: statuses used (§2) and legal pairs (§3.1, §3.2, §3.4). */
const EXPECTED: Record<BeadType, { used: BeadStatus[]; ok: string[] }> = {
  issue: {
    used: ['open', 'in_progress', 'in_review', 'closed', 'failed'],
    ok: [
      'open>in_progress',
      'open>closed',
      'open>failed',
      'in_progress>in_review',
      'in_progress>closed',
      'in_progress>open',
      'in_progress>failed',
      'in_review>closed',
      'in_review>open',
      'in_review>failed',
    ],
  },
  merge_request: {
    used: ['open', 'in_progress', 'closed', 'failed'],
    ok: ['open>in_progress', 'open>failed', 'in_progress>open', 'in_progress>closed', 'in_progress>failed'],
  },
  convoy: {
    used: ['open', 'in_progress', 'closed', 'failed'],
    ok: ['open>in_progress', 'open>closed', 'in_progress>closed', 'open>failed', 'in_progress>failed'],
  },
  escalation: { used: ['open', 'closed'], ok: ['open>closed'] },
  message: { used: ['open', 'closed', 'failed'], ok: ['open>closed', 'open>failed'] },
  agent: { used: ['open', 'closed'], ok: ['open>closed'] },
};

type Expectation = 'ok' | 'noop' | 'illegal';

function expectationFor(type: BeadType, from: BeadStatus, to: BeadStatus): Expectation {
  const { used, ok } = EXPECTED[type];
  if (!used.includes(from) || !used.includes(to)) return 'illegal';
  if (from === to) return 'noop';
  return ok.includes(`${from}>${to}`) ? 'ok' : 'illegal';
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

const TYPES: BeadType[] = ['issue', 'merge_request', 'convoy', 'escalation', 'message', 'agent'];
const CASES = TYPES.flatMap((type) =>
  STATUSES.flatMap((from) => STATUSES.map((to) => ({ type, from, to, expected: expectationFor(type, from, to) }))),
);

describe('checkBeadTransition', () => {
  it('covers every type × 25 pairs', () => {
    expect(CASES).toHaveLength(6 * 25);
    expect(CASES.filter((c) => c.expected === 'ok')).toHaveLength(10 + 5 + 5 + 1 + 2 + 1);
  });

  it.each(CASES)('$type: $from → $to is $expected', ({ type, from, to, expected }) => {
    if (expected === 'illegal') {
      const err = thrown(() => checkBeadTransition(type, ID, from, to));
      expect(err).toBeInstanceOf(Error);
      expect(err).toHaveProperty('name', 'IllegalTransition');
      expect(err).toHaveProperty('code', 'illegal_transition');
      expect(err).toHaveProperty('message', `bead ${ID}: illegal transition ${from} → ${to}`);
      expect(err).toHaveProperty('details', { id: ID, from, to, kind: 'bead' });
    } else {
      expect(checkBeadTransition(type, ID, from, to)).toBe(expected);
    }
  });

  it('never lets a terminal status change, whatever the type', () => {
    for (const type of TYPES) {
      for (const from of ['closed', 'failed'] as const) {
        for (const to of STATUSES.filter((s) => s !== from)) {
          expect(() => checkBeadTransition(type, ID, from, to)).toThrow(/illegal transition/);
        }
      }
    }
  });

  it('names the ids and statuses in the message', () => {
    expect(() => checkBeadTransition('issue', '3f2a', 'closed', 'open')).toThrow('bead 3f2a: illegal transition closed → open');
  });
});

describe('BEAD_TRANSITIONS', () => {
  it.each(TYPES)('%s lists exactly the spec pairs, without duplicates', (type) => {
    const keys = BEAD_TRANSITIONS[type].map(([f, t]) => `${f}>${t}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...EXPECTED[type].ok].sort());
  });
});

describe('terminal bead statuses', () => {
  it('are closed and failed', () => {
    expect([...TERMINAL_BEAD_STATUSES].sort()).toEqual(['closed', 'failed']);
  });

  it.each([
    ['open', false],
    ['in_progress', false],
    ['in_review', false],
    ['closed', true],
    ['failed', true],
  ] as const)('isTerminalBead(%s) is %s', (status, terminal) => {
    expect(isTerminalBead(status)).toBe(terminal);
  });
});
