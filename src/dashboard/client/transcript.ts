/**
 * Turns an agent's session events (`AgentEvent`s: kilo's `message.updated`,
 * `message.part.updated`, `session.error`, …) into a transcript for the mayor chat and the agent
 * page: messages by role, tool calls with their state, and errors. A part updated many times
 * (streaming) stays at its first position with its latest content. Pure.
 */
import type { AgentEvent } from '../../protocol/api.ts';
import { bool, num, obj, preview, str } from './json-read.ts';

export type ToolStatus = 'pending' | 'running' | 'completed' | 'error';

export type TranscriptEntry =
  | { kind: 'message'; id: string; role: 'user' | 'assistant'; text: string; at: string }
  | { kind: 'tool'; id: string; tool: string; status: ToolStatus; title: string; input: string; output: string; at: string }
  | { kind: 'error'; id: string; text: string; at: string };

const TOOL_STATUSES: readonly ToolStatus[] = ['pending', 'running', 'completed', 'error'];

/** Merges `incoming` into `existing` (both by ascending seq), dropping duplicate seqs. */
export function mergeEvents(existing: readonly AgentEvent[], incoming: readonly AgentEvent[]): AgentEvent[] {
  if (incoming.length === 0) return [...existing];
  const bySeq = new Map<number, AgentEvent>();
  for (const e of existing) bySeq.set(e.seq, e);
  for (const e of incoming) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The transcript of `events` (ascending seq). */
export function buildTranscript(events: readonly AgentEvent[]): TranscriptEntry[] {
  const roles = new Map<string, 'user' | 'assistant'>();
  for (const e of events) {
    if (e.type !== 'message.updated') continue;
    const info = obj(e.data.info);
    const id = str(info, 'id');
    const role = str(info, 'role');
    if (id !== undefined && (role === 'user' || role === 'assistant')) roles.set(id, role);
  }
  const order: string[] = [];
  const entries = new Map<string, TranscriptEntry>();
  const put = (entry: TranscriptEntry): void => {
    if (!entries.has(entry.id)) order.push(entry.id);
    entries.set(entry.id, entry);
  };
  for (const e of events) {
    if (e.type === 'message.part.updated') {
      const part = obj(e.data.part);
      const id = str(part, 'id');
      if (id === undefined) continue;
      const type = str(part, 'type');
      if (type === 'text') {
        const text = str(part, 'text') ?? '';
        if (bool(part, 'synthetic') === true || text.trim() === '') continue;
        const role = roles.get(str(part, 'messageID') ?? '') ?? 'assistant';
        put({ kind: 'message', id, role, text, at: e.created_at });
      } else if (type === 'tool') {
        const state = obj(part?.state);
        const status = str(state, 'status');
        put({
          kind: 'tool',
          id,
          tool: str(part, 'tool') ?? 'tool',
          status: TOOL_STATUSES.find((s) => s === status) ?? 'pending',
          title: str(state, 'title') ?? '',
          input: preview(state?.input),
          output: preview(state?.output ?? state?.error),
          at: e.created_at,
        });
      }
    } else if (e.type === 'session.error') {
      const error = obj(e.data.error);
      const message = str(obj(error?.data), 'message') ?? str(error, 'message') ?? str(error, 'name') ?? 'The session reported an error.';
      put({ kind: 'error', id: `seq-${e.seq}`, text: message, at: e.created_at });
    }
  }
  return order.flatMap((id) => {
    const entry = entries.get(id);
    return entry === undefined ? [] : [entry];
  });
}

/** True while the last assistant turn is still running (a tool runs, or no idle seen since). */
export function isBusy(events: readonly AgentEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e === undefined) continue;
    if (e.type === 'session.idle') return false;
    if (e.type === 'session.status') {
      const type = str(obj(e.data.status), 'type');
      if (type !== undefined) return type !== 'idle';
    }
    if (e.type === 'message.updated') {
      const info = obj(e.data.info);
      if (str(info, 'role') === 'assistant') return num(obj(info?.time), 'completed') === undefined;
    }
  }
  return false;
}
