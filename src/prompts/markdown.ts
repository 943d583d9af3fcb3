/**
 * Tiny markdown builders the role prompts are assembled from (`tools.md` §6): sections, bullet
 * and numbered lists, and code fences safe for any command text. Pure string functions; the
 * prompt builders decide the content.
 */

/** A `## heading` followed by its body lines (empty entries are dropped). */
export function section(heading: string, body: readonly string[]): string {
  return [`## ${heading}`, ...body.filter((line) => line.length > 0)].join('\n');
}

/** One `- item` line per entry. */
export function bullets(items: readonly string[]): string[] {
  return items.map((item) => `- ${item}`);
}

/** One `1. item` line per entry, numbered from 1. */
export function numbered(items: readonly string[]): string[] {
  return items.map((item, index) => `${index + 1}. ${item}`);
}

/**
 * A fenced code block holding `lines` verbatim. The fence is one backtick longer than the longest
 * backtick run inside, so user-supplied commands (gates) can never close it early.
 */
export function fenced(lines: readonly string[], info = 'sh'): string {
  const longestRun = Math.max(0, ...lines.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [`${fence}${info}`, ...lines, fence].join('\n');
}

/** Joins prompt parts with one blank line between them, skipping empty parts. */
export function joinParts(parts: readonly string[]): string {
  return parts.filter((part) => part.length > 0).join('\n\n');
}
