/**
 * The bead board's pure parts: its columns (one per bead status), its filters (rig, type,
 * label) as an API query and as a test for beads arriving on the live socket, and keeping a
 * list current when a changed row arrives. Pure.
 */
import type { Bead } from '../../protocol/api.ts';
import type { BeadStatus, BeadType, Priority } from '../../protocol/common.ts';
import type { Query } from './query.ts';

export const BOARD_COLUMNS: readonly { status: BeadStatus; label: string }[] = [
  { status: 'open', label: 'Open' },
  { status: 'in_progress', label: 'In progress' },
  { status: 'in_review', label: 'In review' },
  { status: 'closed', label: 'Closed' },
  { status: 'failed', label: 'Failed' },
];

/** Bead types the board offers as filters (agent and message beads are not work). */
export const BOARD_TYPES: readonly BeadType[] = ['issue', 'merge_request', 'convoy', 'escalation'];

export interface BoardFilters {
  rigId: string;
  type: BeadType | '';
  label: string;
}

export const NO_FILTERS: BoardFilters = { rigId: '', type: '', label: '' };

/** The `GET T/beads` query for `filters` (empty filters are left out). */
export function boardQuery(filters: BoardFilters): Query {
  return { limit: 500, rig_id: filters.rigId, type: filters.type, label: filters.label.trim() };
}

/** True when a bead from the live socket belongs on a board filtered by `filters`. */
export function beadMatches(bead: Bead, filters: BoardFilters): boolean {
  if (filters.rigId !== '' && bead.rig_id !== filters.rigId) return false;
  if (filters.type !== '' ? bead.type !== filters.type : !BOARD_TYPES.includes(bead.type)) return false;
  const label = filters.label.trim();
  return label === '' || bead.labels.includes(label);
}

const PRIORITY_RANK: Readonly<Record<Priority, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

/** The beads of each column: open work by priority then age, the rest most recently changed first. */
export function columnsOf(beads: readonly Bead[]): Record<BeadStatus, Bead[]> {
  const columns: Record<BeadStatus, Bead[]> = { open: [], in_progress: [], in_review: [], closed: [], failed: [] };
  for (const bead of beads) columns[bead.status].push(bead);
  columns.open.sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.created_at.localeCompare(b.created_at));
  for (const status of ['in_progress', 'in_review', 'closed', 'failed'] as const) {
    columns[status].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  }
  return columns;
}

/** `list` with `item` replacing the entry of the same id, or added at the front. */
export function upsertById<T extends { id: string }>(list: readonly T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i < 0) return [item, ...list];
  const next = [...list];
  next[i] = item;
  return next;
}

/** `list` without the entry `id`. */
export function removeById<T extends { id: string }>(list: readonly T[], id: string): T[] {
  return list.filter((x) => x.id !== id);
}

/** Labels as typed in a form ("a, b c") → the label list the API takes. */
export function parseLabels(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== ''))];
}
