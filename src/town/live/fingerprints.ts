/**
 * Row fingerprints for the live change tracker: the serialized API shape of every row of a
 * small, watched set (live agents, unfinished convoys), so a broadcast can send exactly the rows
 * whose shape changed, including rows that left the set (an agent died, a convoy landed).
 */

/** The last broadcast shape of each watched row, by id. */
export class Fingerprints<T extends { id: string }> {
  /** `null` = unknown (woken from hibernation): every row counts as changed once. */
  private last: Map<string, string> | null;

  constructor(initial: readonly T[] | null) {
    this.last = initial === null ? null : new Map(initial.map((row) => [row.id, JSON.stringify(row)]));
  }

  /**
   * The rows of `current` that differ from the last call, plus the rows that left the set as
   * `reread` finds them now (skipped when gone). Remembers `current` for the next call.
   */
  diff(current: readonly T[], reread: (id: string) => T | null): T[] {
    const next = new Map(current.map((row) => [row.id, JSON.stringify(row)]));
    const changed = current.filter((row) => this.last?.get(row.id) !== next.get(row.id));
    for (const id of this.last?.keys() ?? []) {
      if (next.has(id)) continue;
      const row = reread(id);
      if (row !== null) changed.push(row);
    }
    this.last = next;
    return changed;
  }
}
