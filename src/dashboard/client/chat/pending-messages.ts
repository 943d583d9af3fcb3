/**
 * Messages the user sent from this page that the mayor's transcript does not show yet: kept
 * visible ("sending…", then "delivered") until a user message containing their text appears in
 * the session events. Pure.
 */
import type { TranscriptEntry } from '../transcript.ts';

export interface PendingMessage {
  id: string;
  text: string;
  at: string;
  state: 'sending' | 'delivered' | 'starting';
}

/** The pending messages not yet echoed by a user message of `entries`. */
export function unechoed(pending: readonly PendingMessage[], entries: readonly TranscriptEntry[]): PendingMessage[] {
  const userTexts = entries.flatMap((e) => (e.kind === 'message' && e.role === 'user' ? [e.text] : []));
  return pending.filter((p) => !userTexts.some((t) => t.includes(p.text.trim())));
}
