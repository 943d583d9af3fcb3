/**
 * Picks the local model's reply (`container.md` §10): a request without tools (a title, a
 * summary) gets a short plain answer; otherwise the role script of the model id answers, and a
 * tool call the request does not offer becomes a text saying so (kilo would refuse the call).
 */
import type { Conversation } from './conversation.ts';
import { say } from './reply.ts';
import type { ModelReply } from './reply.ts';
import { mayorScript } from './scripts/mayor.ts';
import { polecatScript } from './scripts/polecat.ts';
import { refineryScript } from './scripts/refinery.ts';

/** The model ids the local model serves: the ones `kilo-config.ts` lists to kilo. */
export { LOCAL_MODEL_IDS } from '../env/kilo-config.ts';

const SCRIPTS: Readonly<Record<string, (c: Conversation) => ModelReply>> = {
  mayor: mayorScript,
  polecat: polecatScript,
  refinery: refineryScript,
};

/** The short answer to a request without tools. */
export function plainAnswer(conv: Conversation): string {
  return conv.model === 'title' ? 'Gastown task' : 'Nothing further to report.';
}

/** The next reply to `conv`. */
export function nextReply(conv: Conversation): ModelReply {
  if (conv.tools.length === 0) return say(plainAnswer(conv));
  const script = SCRIPTS[conv.model];
  if (script === undefined) return say(`The local model has no script for the model ${conv.model}.`);
  const reply = script(conv);
  if (reply.kind === 'tool' && !conv.tools.includes(reply.name)) {
    return say(`The local model wanted to call ${reply.name}, but this session does not offer it.`);
  }
  return reply;
}
