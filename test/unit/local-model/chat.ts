/**
 * Builds local-model conversations for the script tests the way kilo sends them: an OpenAI chat
 * body (system, a user message with kilo's `<environment_details>` part, assistant tool calls and
 * tool results) run through `parseChatRequest` and `toConversation`.
 */
import { parseChatRequest } from '../../../container/src/local-model/chat-request.ts';
import { toConversation } from '../../../container/src/local-model/conversation.ts';
import type { Conversation } from '../../../container/src/local-model/conversation.ts';
import type { ModelReply } from '../../../container/src/local-model/reply.ts';
import { buildAssignmentBlock } from '../../../src/prompts/assignment.ts';
import type { Assignment } from '../../../src/prompts/assignment.ts';

/** One earlier tool call of this turn and what it returned. */
export interface Exchange {
  name: string;
  args: Record<string, unknown>;
  result: string;
}

export interface ChatSpec {
  model: string;
  system?: string;
  /** The last user message (earlier ones go in `history`). */
  user: string;
  /** Messages before the last user message (an earlier turn). */
  history?: unknown[];
  tools?: string[];
  turn?: Exchange[];
}

export const POLECAT_TOOLS = ['bash', 'edit', 'read', 'gt_prime', 'gt_done', 'gt_escalate', 'gt_checkpoint', 'gt_status'];
export const REFINERY_TOOLS = ['bash', 'read', 'gt_prime', 'gt_done', 'gt_escalate', 'gt_request_changes'];
export const MAYOR_TOOLS = ['read', 'gt_list_rigs', 'gt_sling', 'gt_sling_batch', 'gt_list_beads'];

/** The OpenAI body kilo would send. */
export function chatBody(spec: ChatSpec): Record<string, unknown> {
  const messages: unknown[] = [];
  if (spec.system !== undefined) messages.push({ role: 'system', content: spec.system });
  messages.push(...(spec.history ?? []));
  messages.push({
    role: 'user',
    content: [
      { type: 'text', text: spec.user },
      { type: 'text', text: '\n\n<environment_details>\nWorking directory: /w\n</environment_details>' },
    ],
  });
  (spec.turn ?? []).forEach((e, i) => {
    const id = `call_${i}`;
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: e.name, arguments: JSON.stringify(e.args) } }] });
    messages.push({ role: 'tool', tool_call_id: id, content: e.result });
  });
  const tools = (spec.tools ?? []).map((name) => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } }));
  return { model: spec.model, stream: true, messages, ...(tools.length === 0 ? {} : { tools }) };
}

/** The conversation a script sees for `spec`. */
export function chat(spec: ChatSpec): Conversation {
  const parsed = parseChatRequest(chatBody(spec));
  if (!parsed.ok) throw new Error(parsed.message);
  return toConversation(parsed.request);
}

/** A polecat/refinery assignment with test defaults. */
export function assignment(over: Partial<Assignment> = {}): Assignment {
  return {
    role: 'polecat',
    agent_id: '33333333-3333-4333-8333-333333333333',
    agent_name: 'Toast',
    rig_id: '22222222-2222-4222-8222-222222222222',
    bead_id: 'abcdef12-3456-4789-8abc-def012345678',
    bead_title: 'Add the readme',
    labels: [],
    branch: 'gt/toast/abcdef12',
    target_branch: 'main',
    merge_strategy: 'direct',
    push_flags: [],
    gates: [],
    ...over,
  };
}

/** A system prompt starting with the assignment block, as the worker builds it. */
export function systemWith(a: Assignment, rest = 'You are a Gastown agent.'): string {
  return `You are Kilo.\n${buildAssignmentBlock(a)}\n\n${rest}`;
}

/** The reply as a tool call, or a failed expectation. */
export function toolCall(reply: ModelReply): { name: string; args: Record<string, unknown> } {
  if (reply.kind !== 'tool') throw new Error(`expected a tool call, got text: ${reply.text}`);
  return reply;
}

/** The reply's text, or a failed expectation. */
export function textOf(reply: ModelReply): string {
  if (reply.kind !== 'text') throw new Error(`expected text, got a call of ${reply.name}`);
  return reply.text;
}
