/**
 * Shell building blocks of the scripted `bash` calls (`container.md` §10): POSIX single quoting,
 * the `&& echo GT_OK` success marker and its check, the output tail quoted in escalations, and
 * the `bash` tool call itself (kilo's built-in shell tool, args `{command, description}`). Pure.
 */
import { call } from './reply.ts';
import type { ModelReply } from './reply.ts';
import type { ToolExchange } from './conversation.ts';

/** kilo's built-in shell tool. */
export const BASH_TOOL = 'bash';

/** The line every scripted command prints last when every step succeeded. */
export const OK_MARKER = 'GT_OK';

/** How much of a failed command's output an escalation quotes. */
export const OUTPUT_TAIL_CHARS = 2000;

/** `value` as one single-quoted shell word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `command && echo GT_OK`. */
export function withOkMarker(command: string): string {
  return `${command} && echo ${OK_MARKER}`;
}

/** True when `output` holds the marker on a line of its own. */
export function succeeded(output: string | null): boolean {
  return output !== null && output.split('\n').some((line) => line.trim() === OK_MARKER);
}

/** The last `OUTPUT_TAIL_CHARS` of `output` (the whole of a shorter one). */
export function outputTail(output: string | null): string {
  const text = (output ?? '').trimEnd();
  return text.length <= OUTPUT_TAIL_CHARS ? text : `…${text.slice(-OUTPUT_TAIL_CHARS)}`;
}

/** A `bash` call running `command` (which should end with the marker), labelled `description`. */
export function bash(command: string, description: string): ModelReply {
  return call(BASH_TOOL, { command, description });
}

/** The exchange of the bash call labelled `description`, else undefined. */
export function bashExchange(exchanges: readonly ToolExchange[], description: string): ToolExchange | undefined {
  return exchanges.find((e) => e.name === BASH_TOOL && e.args.description === description);
}

/** The value printed as `<key>=<value>` on a line of `output`, else undefined. */
export function printedValue(output: string | null, key: string): string | undefined {
  for (const line of (output ?? '').split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith(`${key}=`)) return trimmed.slice(key.length + 1);
  }
  return undefined;
}
