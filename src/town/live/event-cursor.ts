/**
 * Which `bead_events` rows are new since the last broadcast. Normally that is `seq > watermark`.
 * But a bead's deletion erases its events, and `writeBeadEvent` numbers the next one MAX + 1, so
 * seqs at the top can be handed out again. The cursor notices when the row at its watermark
 * vanished or changed, and then compares ids over a window of recent seqs instead.
 */
import { first, num, str, type SqlHandle, type SqlRow } from '../db/sql.ts';

/** How far below the watermark a reused seq is still recognised. */
export const SEQ_REUSE_WINDOW = 64;

/** Tracks the last broadcast `bead_events` row of one town. */
export class EventCursor {
  private constructor(
    private watermark: number,
    private topId: string | null,
    /** Ids (→ seq) of the rows in the window below the watermark, already broadcast. */
    private seen: Map<string, number>,
  ) {}

  /** A cursor past every existing row: nothing that exists now is new. */
  static atEnd(sql: SqlHandle): EventCursor {
    const row = first(sql, `SELECT COALESCE(MAX(seq), 0) AS seq FROM bead_events`);
    return EventCursor.at(sql, row === null ? 0 : num(row, 'seq'));
  }

  /** A cursor after `seq` (a watermark remembered across hibernation). */
  static at(sql: SqlHandle, seq: number): EventCursor {
    const cursor = new EventCursor(seq, null, new Map());
    cursor.rebuild(sql);
    return cursor;
  }

  /** The seq of the last broadcast row. */
  get seq(): number {
    return this.watermark;
  }

  /** The rows written since the last call, ascending by seq; moves the cursor past them. */
  take(sql: SqlHandle): SqlRow[] {
    if (this.intact(sql)) {
      const rows = sql.all(`SELECT * FROM bead_events WHERE seq > ? ORDER BY seq`, this.watermark);
      const last = rows.at(-1);
      if (last === undefined) return [];
      this.watermark = num(last, 'seq');
      this.topId = str(last, 'bead_event_id');
      for (const row of rows) this.seen.set(str(row, 'bead_event_id'), num(row, 'seq'));
      for (const [id, seq] of this.seen) if (seq <= this.watermark - SEQ_REUSE_WINDOW) this.seen.delete(id);
      return rows;
    }
    const floor = Math.max(0, this.watermark - SEQ_REUSE_WINDOW);
    const rows = sql.all(`SELECT * FROM bead_events WHERE seq > ? ORDER BY seq`, floor);
    const fresh = rows.filter((row) => !this.seen.has(str(row, 'bead_event_id')));
    const top = first(sql, `SELECT COALESCE(MAX(seq), 0) AS seq FROM bead_events`);
    this.watermark = top === null ? 0 : num(top, 'seq');
    this.rebuild(sql);
    return fresh;
  }

  /** True when the row at the watermark is the one broadcast last, so no seq was reused. */
  private intact(sql: SqlHandle): boolean {
    if (this.watermark === 0) return true;
    const row = first(sql, `SELECT bead_event_id FROM bead_events WHERE seq = ?`, this.watermark);
    return row !== null && str(row, 'bead_event_id') === this.topId;
  }

  /** Reads the window below the watermark and the row at it, as already broadcast. */
  private rebuild(sql: SqlHandle): void {
    const rows = sql.all(
      `SELECT bead_event_id, seq FROM bead_events WHERE seq > ? AND seq <= ?`,
      this.watermark - SEQ_REUSE_WINDOW,
      this.watermark,
    );
    this.seen = new Map(rows.map((row) => [str(row, 'bead_event_id'), num(row, 'seq')]));
    const top = rows.find((row) => num(row, 'seq') === this.watermark);
    this.topId = top === undefined ? null : str(top, 'bead_event_id');
  }
}
