/**
 * What the local model answers to one chat request: plain text (the turn ends) or one tool call.
 * The server encodes it as SSE chunks or one JSON completion. Pure.
 */

/** One reply of a role script. */
export type ModelReply = { kind: 'text'; text: string } | { kind: 'tool'; name: string; args: Record<string, unknown> };

/** A plain-text reply. */
export function say(text: string): ModelReply {
  return { kind: 'text', text };
}

/** A tool-call reply. */
export function call(name: string, args: Record<string, unknown>): ModelReply {
  return { kind: 'tool', name, args };
}

/** A role script: the next reply to a conversation. */
export type RoleScript<C> = (conversation: C) => ModelReply;
