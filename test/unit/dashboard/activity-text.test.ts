/**
 * Timeline lines: status changes with their reason, agent status messages, plain events,
 * actors, and merging activity by seq.
 */
import { describe, expect, it } from 'vitest';
import type { ActivityEvent } from '../../../src/protocol/api.ts';
import { actorLabel, describeActivity } from '../../../src/dashboard/client/activity-text.ts';
import { appendActivity } from '../../../src/dashboard/client/activity-list.ts';

function event(type: string, data: Record<string, unknown>, seq = 1): ActivityEvent {
  return { seq, type, rig_id: null, bead_id: null, agent_id: null, actor: 'system', data, created_at: '2026-01-01T00:00:00.000Z' };
}

describe('describeActivity', () => {
  it('describes a status change with its reason', () => {
    expect(describeActivity(event('status_changed', { old_value: 'open', new_value: 'in_progress', reason: { code: 'dispatched', message: 'dispatched to Toast' } }))).toBe(
      'status open → in progress (dispatched to Toast)',
    );
  });

  it('quotes agent status messages and names other events', () => {
    expect(describeActivity(event('agent_status', { new_value: 'Reading the code' }))).toBe('agent status: “Reading the code”');
    expect(describeActivity(event('created', {}))).toBe('created');
    expect(describeActivity(event('something_new', {}))).toBe('something new');
    expect(describeActivity(event('fields_updated', { keys: ['title', 'held'] }))).toBe('fields updated: title, held');
    expect(describeActivity(event('dependency_added', { new_value: '136a9bc6-4d9d-496d-a4e6-87cd25b00995' }))).toBe('dependency added: bead 136a9bc6');
  });
});

describe('actorLabel', () => {
  it('shortens actors', () => {
    expect(actorLabel('user:dev')).toBe('dev');
    expect(actorLabel('admin:root')).toBe('admin root');
    expect(actorLabel('agent:0123456789abcdef')).toBe('agent 01234567');
    expect(actorLabel('system')).toBe('system');
  });
});

describe('appendActivity', () => {
  it('merges by seq and keeps the newest max', () => {
    const list = appendActivity([event('a', {}, 1), event('b', {}, 3)], [event('c', {}, 2), event('b2', {}, 3), event('d', {}, 4)], 3);
    expect(list.map((e) => [e.seq, e.type])).toEqual([
      [2, 'c'],
      [3, 'b2'],
      [4, 'd'],
    ]);
  });
});
