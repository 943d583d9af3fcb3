/**
 * What a role script sees of a chat request (`container.md` §10): the role (model id), the
 * offered tools, the `<gastown-assignment>` block, the last user message, the step (assistant
 * messages since that message) and the tool exchanges of this turn, the last one carrying the
 * last tool result. Also the hooked bead of the plugin's prime block, when present. Pure.
 */
import { parseAssignmentBlock } from '../../../src/prompts/assignment.ts';
import type { Assignment } from '../../../src/prompts/assignment.ts';
import type { ChatRequest } from './chat-request.ts';
import { parseDirectives } from './directives.ts';
import { fieldOf, firstJsonObject } from './json-scan.ts';
import type { Directives } from './directives.ts';

/** One tool call of this turn and its result (null while unanswered). */
export interface ToolExchange {
  name: string;
  args: Record<string, unknown>;
  result: string | null;
}

/** The hooked bead as the plugin's prime block shows it. */
export interface PrimedBead {
  id: string;
  title: string;
  body: string;
}

/** The inputs of a role script. */
export interface Conversation {
  /** The model id: `mayor`, `polecat`, `refinery` or `title`. */
  model: string;
  tools: readonly string[];
  /** Every system message, joined. */
  system: string;
  assignment: Assignment | null;
  /** The last user message without kilo's `<environment_details>`/`<system-reminder>` blocks; null when none. */
  userMessage: string | null;
  /** Assistant messages since the last user message. */
  step: number;
  /** Tool calls since the last user message, in order. */
  exchanges: readonly ToolExchange[];
  directives: Directives;
  primedBead: PrimedBead | null;
}

/** The marker the plugin puts before the prime JSON (`tools.md` §2). */
export const PRIME_MARKER = '--- GASTOWN CONTEXT ---';

/** Blocks kilo appends to user messages; they are not what the user wrote. */
const INJECTED_BLOCKS = [/<environment_details>[\s\S]*?<\/environment_details>/g, /<system-reminder>[\s\S]*?<\/system-reminder>/g];

function userText(text: string): string {
  let out = text;
  for (const re of INJECTED_BLOCKS) out = out.replace(re, '');
  return out.trim();
}

/** The hooked bead of the last prime block in `system`, else null. */
export function primedBead(system: string): PrimedBead | null {
  const at = system.lastIndexOf(PRIME_MARKER);
  if (at < 0) return null;
  const parsed = firstJsonObject(system, at + PRIME_MARKER.length);
  if (parsed === undefined) return null;
  const bead = fieldOf(parsed, 'hooked_bead');
  const id = fieldOf(bead, 'id');
  const title = fieldOf(bead, 'title');
  const body = fieldOf(bead, 'body');
  if (typeof id !== 'string' || typeof title !== 'string') return null;
  return { id, title, body: typeof body === 'string' ? body : '' };
}

/** The conversation of `request` as the scripts read it. */
export function toConversation(request: ChatRequest): Conversation {
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.text)
    .join('\n');
  let lastUser = -1;
  request.messages.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
  });
  const userMessage = lastUser < 0 ? null : userText(request.messages[lastUser]?.text ?? '');
  const turn = request.messages.slice(lastUser + 1);
  const results = new Map<string, string>();
  for (const m of turn) if (m.role === 'tool' && m.toolCallId !== null) results.set(m.toolCallId, m.text);
  const exchanges: ToolExchange[] = turn
    .filter((m) => m.role === 'assistant')
    .flatMap((m) => m.toolCalls.map((c) => ({ name: c.name, args: c.args, result: results.get(c.id) ?? null })));
  const assignment = parseAssignmentBlock(system) ?? parseAssignmentBlock(request.messages.map((m) => m.text).join('\n'));
  return {
    model: request.model,
    tools: request.tools,
    system,
    assignment,
    userMessage,
    step: turn.filter((m) => m.role === 'assistant').length,
    exchanges,
    directives: parseDirectives([system, userMessage ?? '']),
    primedBead: primedBead(system),
  };
}
