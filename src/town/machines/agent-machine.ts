/**
 * The agent status machine (`domain.md` §3.3, `agent_metadata.status`): the legal changes per
 * role as data, plus the lookup that enforces them. Only the mayor ever uses `waiting`.
 * Called by `transitionAgent` before every status write; the tables are also read by tests.
 */
import { IllegalTransition } from '../../errors.ts';
import type { AgentRole, AgentStatus } from '../../protocol/common.ts';

/** A legal `[from, to]` status pair. */
export type AgentTransition = readonly [from: AgentStatus, to: AgentStatus];

/** Rows every role shares. */
const COMMON_AGENT_TRANSITIONS: ReadonlyArray<AgentTransition> = [
  // dispatch applied (mayor: startMayor); heartbeat_resumed for a hooked idle agent
  ['idle', 'working'],
  // gt_done applied, process exit, container exited, heartbeat stale, unhooked while working
  ['working', 'idle'],
  // GUPP force stop after 2 h without progress (G3)
  ['working', 'stalled'],
  // release 2.5 h after stalled_at (A3); mayor/user reset
  ['stalled', 'idle'],
  // GC after 24 h idle and unhooked (X1); deletion; rig deleted
  ['idle', 'dead'],
  ['working', 'dead'],
  ['stalled', 'dead'],
];

/** Rows only the mayor has: its `waiting` state between turns. */
const MAYOR_ONLY_TRANSITIONS: ReadonlyArray<AgentTransition> = [
  // its turn ended (mayor_waiting, newer than working_since)
  ['working', 'waiting'],
  // a message or mail delivered to it
  ['waiting', 'working'],
  // process gone, container_eviction applied, container idle stop
  ['waiting', 'idle'],
  // any non-dead → dead
  ['waiting', 'dead'],
];

/** The statuses each role ever takes: `waiting` is the mayor's alone. */
export const AGENT_STATUSES_BY_ROLE: Readonly<Record<AgentRole, ReadonlyArray<AgentStatus>>> = {
  mayor: ['idle', 'working', 'waiting', 'stalled', 'dead'],
  polecat: ['idle', 'working', 'stalled', 'dead'],
  refinery: ['idle', 'working', 'stalled', 'dead'],
};

/** Every legal status change per role; a pair not listed is an `IllegalTransition`. */
export const AGENT_TRANSITIONS: Readonly<Record<AgentRole, ReadonlyArray<AgentTransition>>> = {
  mayor: [...COMMON_AGENT_TRANSITIONS, ...MAYOR_ONLY_TRANSITIONS],
  polecat: COMMON_AGENT_TRANSITIONS,
  refinery: COMMON_AGENT_TRANSITIONS,
};

/** Whether an agent in `status` can never change again (`dead`). */
export function isTerminalAgent(status: AgentStatus): boolean {
  return status === 'dead';
}

/**
 * Checks an agent status change: `'noop'` when `from === to`, `'ok'` for a pair listed for
 * `role`. Throws `IllegalTransition('agent', id, from, to)` for anything else, including
 * leaving `dead` and any use of `waiting` by a role other than the mayor.
 */
export function checkAgentTransition(role: AgentRole, id: string, from: AgentStatus, to: AgentStatus): 'noop' | 'ok' {
  const used = AGENT_STATUSES_BY_ROLE[role];
  if (!used.includes(from) || !used.includes(to)) throw new IllegalTransition('agent', id, from, to);
  if (from === to) return 'noop';
  if (isTerminalAgent(from)) throw new IllegalTransition('agent', id, from, to);
  if (AGENT_TRANSITIONS[role].some(([f, t]) => f === from && t === to)) return 'ok';
  throw new IllegalTransition('agent', id, from, to);
}
