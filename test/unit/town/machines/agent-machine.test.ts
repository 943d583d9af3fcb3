/**
 * Exhaustive tests of the agent status machine (`domain.md` §3.3): every role × every
 * (from, to) pair of the five statuses, against a table written out here from the spec.
 */
import { describe, expect, it } from 'vitest';
import type { AgentRole, AgentStatus } from '../../../../src/protocol/common.ts';
import { AGENT_TRANSITIONS, checkAgentTransition, isTerminalAgent } from '../../../../src/town/machines/agent-machine.ts';

const STATUSES: AgentStatus[] = ['idle', 'working', 'waiting', 'stalled', 'dead'];
const ROLES: AgentRole[] = ['mayor', 'polecat', 'refinery'];
const ID = '7b1c0d2e-0000-4000-8000-000000000002';

/** Literal from §3.3: rows every role has. */
const COMMON_OK = [
  'idle>working',
  'working>idle',
  'working>stalled',
  'stalled>idle',
  'idle>dead',
  'working>dead',
  'stalled>dead',
];
/** Literal from §3.3: the mayor-only rows (its `waiting` state). */
const MAYOR_OK = ['working>waiting', 'waiting>working', 'waiting>idle', 'waiting>dead'];

function okFor(role: AgentRole): string[] {
  return role === 'mayor' ? [...COMMON_OK, ...MAYOR_OK] : COMMON_OK;
}

type Expectation = 'ok' | 'noop' | 'illegal';

function expectationFor(role: AgentRole, from: AgentStatus, to: AgentStatus): Expectation {
  // Only the mayor ever waits: for other roles `waiting` is illegal on either side.
  if (role !== 'mayor' && (from === 'waiting' || to === 'waiting')) return 'illegal';
  if (from === to) return 'noop';
  return okFor(role).includes(`${from}>${to}`) ? 'ok' : 'illegal';
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

const CASES = ROLES.flatMap((role) =>
  STATUSES.flatMap((from) => STATUSES.map((to) => ({ role, from, to, expected: expectationFor(role, from, to) }))),
);

describe('checkAgentTransition', () => {
  it('covers every role × 25 pairs', () => {
    expect(CASES).toHaveLength(3 * 25);
    expect(CASES.filter((c) => c.expected === 'ok')).toHaveLength(11 + 7 + 7);
  });

  it.each(CASES)('$role: $from → $to is $expected', ({ role, from, to, expected }) => {
    if (expected === 'illegal') {
      const err = thrown(() => checkAgentTransition(role, ID, from, to));
      expect(err).toBeInstanceOf(Error);
      expect(err).toHaveProperty('name', 'IllegalTransition');
      expect(err).toHaveProperty('code', 'illegal_transition');
      expect(err).toHaveProperty('message', `agent ${ID}: illegal transition ${from} → ${to}`);
      expect(err).toHaveProperty('details', { id: ID, from, to, kind: 'agent' });
    } else {
      expect(checkAgentTransition(role, ID, from, to)).toBe(expected);
    }
  });

  it('treats dead as terminal for every role', () => {
    for (const role of ROLES) {
      expect(checkAgentTransition(role, ID, 'dead', 'dead')).toBe('noop');
      for (const to of ['idle', 'working', 'stalled'] as const) {
        expect(() => checkAgentTransition(role, ID, 'dead', to)).toThrow(`agent ${ID}: illegal transition dead → ${to}`);
      }
    }
  });
});

describe('AGENT_TRANSITIONS', () => {
  it.each(ROLES)('%s lists exactly the spec pairs, without duplicates', (role) => {
    const keys = AGENT_TRANSITIONS[role].map(([f, t]) => `${f}>${t}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...okFor(role)].sort());
  });
});

describe('isTerminalAgent', () => {
  it.each([
    ['idle', false],
    ['working', false],
    ['waiting', false],
    ['stalled', false],
    ['dead', true],
  ] as const)('isTerminalAgent(%s) is %s', (status, terminal) => {
    expect(isTerminalAgent(status)).toBe(terminal);
  });
});
