/**
 * The explicit state machines of `domain.md` §3: beads, agents, convoys.
 * Imported by the transition functions and the reconciler; re-exports only.
 */
export * from './bead-machine.ts';
export * from './agent-machine.ts';
export * from './convoy-machine.ts';
