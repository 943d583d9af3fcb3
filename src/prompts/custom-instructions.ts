/**
 * The tail every role prompt shares (`tools.md` §6): town and/or rig `custom_instructions`,
 * appended last under `## Custom instructions` when any is non-empty. Dispatch passes the
 * effective value (rig override, else town: `domain.md` §8); a list is appended in the order
 * given (town first, then rig), blank and repeated entries dropped. Pure.
 */

/** One instruction text, or several in the order they are appended (town, then rig). */
export type CustomInstructions = string | readonly string[];

export const CUSTOM_INSTRUCTIONS_HEADING = '## Custom instructions';

/** The non-empty, distinct instruction texts, trimmed, in order. */
function texts(instructions: CustomInstructions): string[] {
  const list = typeof instructions === 'string' ? [instructions] : instructions;
  const out: string[] = [];
  for (const entry of list) {
    const text = entry.trim();
    if (text.length > 0 && !out.includes(text)) out.push(text);
  }
  return out;
}

/** `prompt` plus the custom instructions section, or `prompt` unchanged when there are none. */
export function withCustomInstructions(prompt: string, instructions: CustomInstructions): string {
  const parts = texts(instructions);
  return parts.length === 0 ? prompt : `${prompt}\n\n${CUSTOM_INSTRUCTIONS_HEADING}\n${parts.join('\n\n')}`;
}
