/**
 * The tail every role prompt shares (`tools.md` §6): town or rig `custom_instructions`,
 * appended under `## Custom instructions` when non-empty. Pure.
 */

/** `prompt` plus the custom instructions section, or `prompt` unchanged when there are none. */
export function withCustomInstructions(prompt: string, instructions: string): string {
  const text = instructions.trim();
  return text.length === 0 ? prompt : `${prompt}\n\n## Custom instructions\n${text}`;
}
