/**
 * The mayor's script (`container.md` §10): the startup prompt → `Ready.`; any other message →
 * `gt_list_rigs`, pick the rig named in the message (else the first; none → `No rigs
 * configured.`); two or more list lines → `gt_sling_batch`, one task per line, each depending on
 * the previous; else `gt_sling` (first line ≤ 80 chars as title, the message as body); then
 * `Slung: <ids>`. Steering lines of the message are copied into every task body, so a test can
 * steer the polecats through the mayor. Pure.
 */
import { MAYOR_READY_PROMPT } from '../../../../src/prompts/first-prompt.ts';
import type { Conversation } from '../conversation.ts';
import { directiveLines, withoutDirectives } from '../directives.ts';
import { fieldOf, parseJson } from '../json-scan.ts';
import { call, say } from '../reply.ts';
import type { ModelReply } from '../reply.ts';
import { outputTail } from '../shell.ts';

/** A rig as `gt_list_rigs` shows it. */
export interface RigChoice {
  id: string;
  name: string;
}

/** Title lengths: `gt_sling` titles ≤ 80 chars (§10), task titles within the schema's 200. */
const SLING_TITLE_MAX = 80;
const TASK_TITLE_MAX = 200;

/** A Markdown list line: `- x`, `* x`, `+ x`, `1. x`, `1) x`. */
const LIST_LINE = /^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$/;

/** True for the prompt a mayor session starts with (or an empty one). */
export function isStartupPrompt(message: string | null): boolean {
  const text = (message ?? '').trim();
  return text === '' || text === MAYOR_READY_PROMPT;
}

/** The rigs of a `gt_list_rigs` result (a Rig[] or `{rigs|items: Rig[]}`); null when it is no list (an error text). */
export function parseRigs(result: string | null): RigChoice[] | null {
  const parsed = parseJson(result);
  const list = Array.isArray(parsed) ? parsed : (fieldOf(parsed, 'rigs') ?? fieldOf(parsed, 'items'));
  if (!Array.isArray(list)) return null;
  return list.flatMap((r: unknown) => {
    const id = fieldOf(r, 'id');
    const name = fieldOf(r, 'name');
    return typeof id === 'string' ? [{ id, name: typeof name === 'string' ? name : '' }] : [];
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first rig whose name appears in `message` as a whole word, else the first rig. */
export function pickRig(rigs: readonly RigChoice[], message: string): RigChoice | undefined {
  const named = rigs.find((r) => r.name !== '' && new RegExp(`(^|[^A-Za-z0-9._-])${escapeRegExp(r.name)}($|[^A-Za-z0-9._-])`, 'i').test(message));
  return named ?? rigs[0];
}

/** The items of the message's list lines, in order. */
export function listItems(message: string): string[] {
  return withoutDirectives(message)
    .split('\n')
    .flatMap((line) => {
      const item = LIST_LINE.exec(line)?.[1]?.trim();
      return item === undefined || item === '' ? [] : [item];
    });
}

/** The first non-empty line of `message` that is neither a list line nor a steering line. */
function firstPlainLine(message: string): string | undefined {
  return withoutDirectives(message)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !LIST_LINE.test(l));
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max).trimEnd();
}

/** The ids a sling result names: `{bead}` → its id, `{beads}` → theirs; else every UUID in the text. */
export function slungIds(result: string | null): string[] {
  const parsed = parseJson(result);
  const bead = fieldOf(fieldOf(parsed, 'bead'), 'id');
  if (typeof bead === 'string') return [bead];
  const beads = fieldOf(parsed, 'beads');
  if (Array.isArray(beads)) return beads.flatMap((b: unknown) => (typeof fieldOf(b, 'id') === 'string' ? [String(fieldOf(b, 'id'))] : []));
  if (parsed !== undefined) return [];
  return [...new Set((result ?? '').match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? [])];
}

/** The sling call for `message` on `rig`. */
export function slingCall(rig: RigChoice, message: string): ModelReply {
  const items = listItems(message);
  if (items.length >= 2) {
    const steering = directiveLines(message);
    const tasks = items.map((item, i) => ({
      title: clip(item, TASK_TITLE_MAX),
      body: [item, ...steering].join('\n'),
      ...(i === 0 ? {} : { depends_on: [i - 1] }),
    }));
    const title = clip(firstPlainLine(message) ?? `Batch: ${items[0] ?? ''}`, SLING_TITLE_MAX);
    return call('gt_sling_batch', { rig_id: rig.id, title, tasks });
  }
  const title = clip(firstPlainLine(message) ?? items[0] ?? 'Task', SLING_TITLE_MAX);
  return call('gt_sling', { rig_id: rig.id, title, body: message });
}

/** The mayor's next reply. */
export function mayorScript(conv: Conversation): ModelReply {
  const message = conv.userMessage ?? '';
  const last = conv.exchanges.at(-1);
  if (last === undefined) return isStartupPrompt(message) ? say('Ready.') : call('gt_list_rigs', {});
  if (last.name === 'gt_list_rigs') {
    const rigs = parseRigs(last.result);
    if (rigs === null) return say(`Could not list the rigs: ${outputTail(last.result)}`);
    const rig = pickRig(rigs, message);
    return rig === undefined ? say('No rigs configured.') : slingCall(rig, message);
  }
  if (last.name === 'gt_sling' || last.name === 'gt_sling_batch') {
    const ids = slungIds(last.result);
    return ids.length === 0 ? say(`Sling failed: ${outputTail(last.result)}`) : say(`Slung: ${ids.join(', ')}`);
  }
  return say('Ready.');
}
