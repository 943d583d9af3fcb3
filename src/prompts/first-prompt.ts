/**
 * The first user prompt of a rig session (`StartAgentRequest.prompt`): the bead's title and
 * body, which the system prompt's assignment block refers to. The mayor's first prompt is the
 * user's message (or `Mayor ready.`). Pure.
 */

/** The opening message of a polecat or refinery session. */
export function rigFirstPrompt(role: 'polecat' | 'refinery', bead: { id: string; title: string; body: string }): string {
  const head = role === 'polecat' ? `Your hooked bead ${bead.id}: ${bead.title}` : `Review merge request ${bead.id}: ${bead.title}`;
  const body = bead.body.trim();
  return body.length === 0 ? head : `${head}\n\n${body}`;
}

/** The mayor's first prompt when no message came with the start. */
export const MAYOR_READY_PROMPT = 'Mayor ready.';
