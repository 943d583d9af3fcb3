/**
 * The bead a rig script works on, from the best source present: the assignment block (id,
 * title), the first prompt's head line (`Your hooked bead <id>: <title>` / `Review merge request
 * <id>: <title>`, body below it), else the prime block's hooked bead. Plus the backticked strings
 * of title and body, which name the polecat's file and its text. Pure.
 */
import type { Conversation } from '../conversation.ts';
import { withoutDirectives } from '../directives.ts';

/** What a script knows of its bead. */
export interface BeadFacts {
  id: string;
  /** The first 8 characters of the id (`gastown/<bead8>.md`, `gt-merge-<bead8>`). */
  short: string;
  title: string;
  body: string;
}

/** The head line of a rig session's first prompt (`src/prompts/first-prompt.ts`). */
const FIRST_PROMPT_HEAD = /^(?:Your hooked bead|Review merge request) (\S+): (.*)$/;

/** Split `message` into the head line's id/title and the body below it; null head when it does not match. */
function splitFirstPrompt(message: string): { head: { id: string; title: string } | null; rest: string } {
  const newline = message.indexOf('\n');
  const first = (newline < 0 ? message : message.slice(0, newline)).trim();
  const match = FIRST_PROMPT_HEAD.exec(first);
  if (match === null) return { head: null, rest: message };
  return { head: { id: match[1] ?? '', title: (match[2] ?? '').trim() }, rest: newline < 0 ? '' : message.slice(newline + 1).trim() };
}

/** The bead of `conv`; empty strings where no source names it. */
export function beadFacts(conv: Conversation): BeadFacts {
  const { head, rest } = splitFirstPrompt(conv.userMessage ?? '');
  const primed = conv.primedBead;
  const id = conv.assignment?.bead_id ?? head?.id ?? primed?.id ?? '';
  const title = conv.assignment?.bead_title ?? head?.title ?? primed?.title ?? '';
  const body = head !== null ? rest : (primed?.body ?? rest);
  return { id, short: id.slice(0, 8), title, body };
}

/** The `backticked` strings of `text`, in order (single-line spans only). */
export function backticked(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => (m[1] ?? '').trim()).filter((s) => s.length > 0);
}

/** The backticked strings of the title, then of the body (steering lines left out). */
export function beadTicks(bead: BeadFacts): string[] {
  return [...backticked(bead.title), ...backticked(withoutDirectives(bead.body))];
}
