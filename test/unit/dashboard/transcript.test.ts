/**
 * Session events → transcript: roles from `message.updated`, streaming part updates kept in
 * place, tool calls with their state, errors, synthetic parts hidden, merging by seq, and the
 * busy flag.
 */
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/protocol/api.ts';
import { buildTranscript, isBusy, mergeEvents } from '../../../src/dashboard/client/transcript.ts';

let seq = 0;
function ev(type: string, data: Record<string, unknown>): AgentEvent {
  seq += 1;
  return { seq, type, data, created_at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z` };
}
const msg = (id: string, role: string, completed?: number) => ev('message.updated', { info: { id, role, time: { created: 1, ...(completed === undefined ? {} : { completed }) } } });
const text = (id: string, messageID: string, t: string, extra: Record<string, unknown> = {}) => ev('message.part.updated', { part: { id, messageID, type: 'text', text: t, ...extra } });
const tool = (id: string, name: string, status: string, extra: Record<string, unknown> = {}) =>
  ev('message.part.updated', { part: { id, messageID: 'm2', type: 'tool', tool: name, state: { status, input: { title: 'x' }, ...extra } } });

describe('buildTranscript', () => {
  it('orders messages and tools by first appearance with their latest content', () => {
    const events = [
      msg('m1', 'user'),
      text('p1', 'm1', 'Please add a README'),
      msg('m2', 'assistant'),
      text('p2', 'm2', 'On'),
      tool('t1', 'gt_sling', 'running'),
      text('p2', 'm2', 'On it: slinging a bead.'),
      tool('t1', 'gt_sling', 'completed', { output: 'bead 1234 created' }),
    ];
    expect(buildTranscript(events)).toEqual([
      { kind: 'message', id: 'p1', role: 'user', text: 'Please add a README', at: events[1]?.created_at },
      { kind: 'message', id: 'p2', role: 'assistant', text: 'On it: slinging a bead.', at: events[5]?.created_at },
      { kind: 'tool', id: 't1', tool: 'gt_sling', status: 'completed', title: '', input: '{"title":"x"}', output: 'bead 1234 created', at: events[6]?.created_at },
    ]);
  });

  it('hides synthetic and empty text parts and treats unknown messages as the agent', () => {
    const entries = buildTranscript([text('a', 'mx', 'injected context', { synthetic: true }), text('b', 'mx', '   '), text('c', 'mx', 'hello')]);
    expect(entries).toEqual([expect.objectContaining({ id: 'c', role: 'assistant', text: 'hello' })]);
  });

  it('shows session errors with their message', () => {
    const entries = buildTranscript([ev('session.error', { error: { name: 'ProviderAuthError', data: { message: 'The API key was refused.' } } })]);
    expect(entries).toEqual([expect.objectContaining({ kind: 'error', text: 'The API key was refused.' })]);
  });

  it('falls back to pending for an unknown tool state', () => {
    expect(buildTranscript([tool('t', 'bash', 'weird')])[0]).toMatchObject({ kind: 'tool', status: 'pending' });
  });
});

describe('mergeEvents', () => {
  it('merges by seq without duplicates, ascending', () => {
    const a = ev('x', {});
    const b = ev('y', {});
    const c = ev('z', {});
    expect(mergeEvents([a, c], [b, c]).map((e) => e.seq)).toEqual([a.seq, b.seq, c.seq]);
  });
});

describe('isBusy', () => {
  it('is busy while the last assistant message is not completed, and not after idle', () => {
    expect(isBusy([msg('m1', 'user'), msg('m2', 'assistant')])).toBe(true);
    expect(isBusy([msg('m2', 'assistant', 5)])).toBe(false);
    expect(isBusy([msg('m2', 'assistant'), ev('session.idle', {})])).toBe(false);
    expect(isBusy([ev('session.status', { status: { type: 'busy' } })])).toBe(true);
    expect(isBusy([])).toBe(false);
  });
});
