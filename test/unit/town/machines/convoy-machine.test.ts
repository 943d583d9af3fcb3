/**
 * Exhaustive tests of the convoy state machine (`domain.md` §3.4): every (from, to) pair of the
 * five states against a table written out here from the spec, and the mirrored bead status.
 */
import { describe, expect, it } from 'vitest';
import type { ConvoyStatus } from '../../../../src/protocol/common.ts';
import {
  CONVOY_TRANSITIONS,
  TERMINAL_CONVOY_STATES,
  checkConvoyTransition,
  convoyBeadStatusFor,
  isTerminalConvoy,
} from '../../../../src/town/machines/convoy-machine.ts';

const STATES: ConvoyStatus[] = ['staged', 'open', 'landing', 'landed', 'failed'];
const ID = 'c0c0a000-0000-4000-8000-000000000003';

/** Literal from §3.4. */
const EXPECTED_OK = [
  'staged>open',
  'open>landing',
  'open>landed',
  'landing>landed',
  'landing>failed',
  'open>failed',
  'staged>failed',
];

type Expectation = 'ok' | 'noop' | 'illegal';

function expectationFor(from: ConvoyStatus, to: ConvoyStatus): Expectation {
  if (from === to) return 'noop';
  return EXPECTED_OK.includes(`${from}>${to}`) ? 'ok' : 'illegal';
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

const CASES = STATES.flatMap((from) => STATES.map((to) => ({ from, to, expected: expectationFor(from, to) })));

describe('checkConvoyTransition', () => {
  it('covers all 25 pairs', () => {
    expect(CASES).toHaveLength(25);
    expect(CASES.filter((c) => c.expected === 'ok')).toHaveLength(7);
    expect(CASES.filter((c) => c.expected === 'noop')).toHaveLength(5);
  });

  it.each(CASES)('$from → $to is $expected', ({ from, to, expected }) => {
    if (expected === 'illegal') {
      const err = thrown(() => checkConvoyTransition(ID, from, to));
      expect(err).toBeInstanceOf(Error);
      expect(err).toHaveProperty('name', 'IllegalTransition');
      expect(err).toHaveProperty('code', 'illegal_transition');
      expect(err).toHaveProperty('message', `convoy ${ID}: illegal transition ${from} → ${to}`);
      expect(err).toHaveProperty('details', { id: ID, from, to, kind: 'convoy' });
    } else {
      expect(checkConvoyTransition(ID, from, to)).toBe(expected);
    }
  });

  it('makes a repeated close idempotent', () => {
    expect(checkConvoyTransition(ID, 'failed', 'failed')).toBe('noop');
  });
});

describe('CONVOY_TRANSITIONS', () => {
  it('lists exactly the spec pairs, without duplicates', () => {
    const keys = CONVOY_TRANSITIONS.map(([f, t]) => `${f}>${t}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...EXPECTED_OK].sort());
  });
});

describe('terminal convoy states', () => {
  it('are landed and failed', () => {
    expect([...TERMINAL_CONVOY_STATES].sort()).toEqual(['failed', 'landed']);
  });

  it.each([
    ['staged', false],
    ['open', false],
    ['landing', false],
    ['landed', true],
    ['failed', true],
  ] as const)('isTerminalConvoy(%s) is %s', (state, terminal) => {
    expect(isTerminalConvoy(state)).toBe(terminal);
  });
});

describe('convoyBeadStatusFor', () => {
  it.each([
    ['staged', 'open'],
    ['open', 'open'],
    ['landing', 'in_progress'],
    ['landed', 'closed'],
    ['failed', 'failed'],
  ] as const)('%s → bead %s', (state, bead) => {
    expect(convoyBeadStatusFor(state)).toBe(bead);
  });
});
