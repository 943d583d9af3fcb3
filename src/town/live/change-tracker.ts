/**
 * What changed since the last broadcast, as live frames. New `bead_events` rows name the
 * changed beads (and through them their convoys) and become `activity` frames; agents and
 * unfinished convoys are compared by fingerprint, which also catches writes that log no event
 * (heartbeats, status messages, convoy membership).
 */
import type { Agent, Convoy } from '../../protocol/api.ts';
import type { LiveFrame } from '../../protocol/live.ts';
import { strOrNull, type SqlHandle } from '../db/sql.ts';
import { findAgent } from '../agents/agent-rows.ts';
import { findBeads } from '../beads/bead-rows.ts';
import { rowToActivity } from '../beads/bead-events.ts';
import { findConvoy } from '../convoys/convoy-rows.ts';
import { EventCursor } from './event-cursor.ts';
import { Fingerprints } from './fingerprints.ts';
import { liveAgents, unfinishedConvoys } from './frames.ts';

/** At most this many `activity` frames per broadcast (the newest); clients backfill by `seq`. */
export const MAX_ACTIVITY_FRAMES = 200;

/** The change-tracking state of one town's live sockets (in memory, per TownDO instance). */
export class ChangeTracker {
  private constructor(
    private readonly events: EventCursor,
    private readonly agents: Fingerprints<Agent>,
    private readonly convoys: Fingerprints<Convoy>,
  ) {}

  /** Tracking from the current state: only later changes will be broadcast. */
  static fromNow(sql: SqlHandle): ChangeTracker {
    return new ChangeTracker(EventCursor.atEnd(sql), new Fingerprints(liveAgents(sql)), new Fingerprints(unfinishedConvoys(sql)));
  }

  /**
   * Tracking resumed after hibernation: events after `seq` are new, and every live agent and
   * unfinished convoy is sent once, since their last broadcast shapes were lost.
   */
  static resumed(sql: SqlHandle, seq: number): ChangeTracker {
    return new ChangeTracker(EventCursor.at(sql, seq), new Fingerprints<Agent>(null), new Fingerprints<Convoy>(null));
  }

  /** The seq of the last broadcast activity event. */
  get seq(): number {
    return this.events.seq;
  }

  /** Frames for every change since the last call: rows first, then the new activity. */
  collect(sql: SqlHandle): LiveFrame[] {
    const rows = this.events.take(sql);
    const beadIds = unique(rows.map((row) => strOrNull(row, 'bead_id')));
    const beads = findBeads(sql, beadIds);
    const convoyIds = new Set<string>();
    for (const bead of beads) {
      if (bead.type === 'convoy') convoyIds.add(bead.id);
      else if (bead.convoy_id !== null) convoyIds.add(bead.convoy_id);
    }
    const convoys = this.convoys.diff(unfinishedConvoys(sql), (id) => findConvoy(sql, id));
    for (const convoy of convoys) convoyIds.delete(convoy.id);
    for (const id of convoyIds) {
      const convoy = findConvoy(sql, id);
      if (convoy !== null) convoys.push(convoy);
    }
    const agents = this.agents.diff(liveAgents(sql), (id) => findAgent(sql, id));
    return [
      ...beads.filter((bead) => bead.type !== 'agent').map((bead): LiveFrame => ({ type: 'bead', bead })),
      ...convoys.map((convoy): LiveFrame => ({ type: 'convoy', convoy })),
      ...agents.map((agent): LiveFrame => ({ type: 'agent', agent })),
      ...rows.slice(-MAX_ACTIVITY_FRAMES).map((row): LiveFrame => ({ type: 'activity', event: rowToActivity(row) })),
    ];
  }
}

function unique(ids: (string | null)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}
