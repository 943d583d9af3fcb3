/**
 * The bead board's pure parts: the API query of the filters, which live beads belong on a
 * filtered board, column order, list upserts and label parsing.
 */
import { describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/protocol/api.ts';
import { beadMatches, boardQuery, columnsOf, NO_FILTERS, parseLabels, removeById, upsertById } from '../../../src/dashboard/client/board.ts';

const RIG = '11111111-1111-4111-8111-111111111111';
function bead(over: Partial<Bead>): Bead {
  return {
    id: 'b',
    type: 'issue',
    status: 'open',
    rig_id: RIG,
    title: 't',
    body: '',
    priority: 'medium',
    labels: [],
    held: false,
    assignee_agent_id: null,
    parent_bead_id: null,
    convoy_id: null,
    dispatch_attempts: 0,
    review: null,
    metadata: {},
    created_by: 'user:dev',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    closed_at: null,
    ...over,
  };
}

describe('boardQuery', () => {
  it('sends only the filters that are set', () => {
    expect(boardQuery({ rigId: RIG, type: '', label: ' ui ' })).toEqual({ limit: 500, rig_id: RIG, type: '', label: 'ui' });
  });
});

describe('beadMatches', () => {
  it('applies rig, type and label filters', () => {
    const b = bead({ labels: ['ui'] });
    expect(beadMatches(b, NO_FILTERS)).toBe(true);
    expect(beadMatches(b, { ...NO_FILTERS, rigId: 'other' })).toBe(false);
    expect(beadMatches(b, { ...NO_FILTERS, type: 'merge_request' })).toBe(false);
    expect(beadMatches(b, { ...NO_FILTERS, label: 'ui' })).toBe(true);
    expect(beadMatches(b, { ...NO_FILTERS, label: 'api' })).toBe(false);
  });

  it('keeps agent and message beads off an unfiltered board', () => {
    expect(beadMatches(bead({ type: 'agent' }), NO_FILTERS)).toBe(false);
    expect(beadMatches(bead({ type: 'message' }), NO_FILTERS)).toBe(false);
  });
});

describe('columnsOf', () => {
  it('puts open work in dispatch order and the rest newest first', () => {
    const cols = columnsOf([
      bead({ id: 'low', priority: 'low' }),
      bead({ id: 'crit', priority: 'critical', created_at: '2026-01-02T00:00:00.000Z' }),
      bead({ id: 'med-old', priority: 'medium' }),
      bead({ id: 'c1', status: 'closed', updated_at: '2026-01-01T00:00:00.000Z' }),
      bead({ id: 'c2', status: 'closed', updated_at: '2026-01-03T00:00:00.000Z' }),
    ]);
    expect(cols.open.map((b) => b.id)).toEqual(['crit', 'med-old', 'low']);
    expect(cols.closed.map((b) => b.id)).toEqual(['c2', 'c1']);
    expect(cols.in_progress).toEqual([]);
  });
});

describe('upsertById / removeById', () => {
  it('replaces in place or adds at the front', () => {
    const list = [bead({ id: 'a' }), bead({ id: 'b' })];
    expect(upsertById(list, bead({ id: 'b', title: 'new' })).map((b) => [b.id, b.title])).toEqual([
      ['a', 't'],
      ['b', 'new'],
    ]);
    expect(upsertById(list, bead({ id: 'c' })).map((b) => b.id)).toEqual(['c', 'a', 'b']);
    expect(removeById(list, 'a').map((b) => b.id)).toEqual(['b']);
  });
});

describe('parseLabels', () => {
  it('splits on commas and spaces and drops duplicates', () => {
    expect(parseLabels(' ui, api  ui,,docs ')).toEqual(['ui', 'api', 'docs']);
    expect(parseLabels('')).toEqual([]);
  });
});
