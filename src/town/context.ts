/**
 * What every town command receives: the SQL handle, the tick-independent `now`, the town id,
 * the acting principal and the environment flags. Commands collect effect intents (container
 * calls run after commit) instead of performing network I/O themselves.
 */
import type { SqlHandle } from './db/sql.ts';

/** A network side effect a command or the tick asks for; run after the SQL commits. */
export type EffectIntent =
  | { kind: 'stop_agent'; agent_id: string; reason: string }
  // A mayor start (`bead_id: null`) carries the user's message and dashboard context.
  | { kind: 'dispatch'; agent_id: string; bead_id: string | null; dispatch_id: string; role: 'mayor' | 'polecat' | 'refinery'; prompt?: string; dashboard_context?: string }
  | { kind: 'poll_pr'; bead_id: string }
  | { kind: 'git_merge'; bead_id: string; request_id: string }
  | { kind: 'merge_pr'; bead_id: string }
  | { kind: 'deliver_nudge'; agent_id: string; nudge_id: string }
  | { kind: 'deliver_mail'; agent_id: string; message_ids: string[] };

export interface TownCtx {
  sql: SqlHandle;
  /** Epoch ms from the TownDO clock. */
  now: number;
  townId: string;
  /** `user:<sub>`, `agent:<id>`, `admin:<sub>` or `system` (`domain.md` §9). */
  actor: string;
  development: boolean;
  /** Effects requested by the command, run after commit. */
  effects: EffectIntent[];
}

/** New UUID v4 (`domain.md` §1). */
export function newId(): string {
  return crypto.randomUUID();
}

/** First 8 hex chars of an id. */
export function id8(id: string): string {
  return id.replace(/-/g, '').slice(0, 8);
}
