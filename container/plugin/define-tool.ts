/**
 * The one wrapper every gastown tool goes through (`style.md` §8, `tools.md` §3): arguments are
 * validated with the tool's zod shape before any call, failures become one model-readable error
 * message, and results become a string (a sentence, or pretty JSON) capped at 16 KB.
 */
import { z } from 'zod';
import type { GastownApi } from './api-client.ts';
import type { AgentContext } from './context.ts';

/** Longest tool result handed to the model (`tools.md` §3). */
export const MAX_OUTPUT_CHARS = 16 * 1024;

/** What a tool's `execute` gets besides its arguments. */
export interface ToolDeps {
  api: GastownApi;
  agent: AgentContext;
  /** The tool call's abort signal. */
  signal: AbortSignal;
}

/** A gastown tool as written in `tools/<name>.ts`. */
export interface GastownTool<S extends z.ZodRawShape = z.ZodRawShape> {
  id: string;
  description: string;
  args: S;
  /** Returns a sentence or a JSON-able value; throws on failure (the message reaches the model). */
  execute(args: z.output<z.ZodObject<S>>, deps: ToolDeps): Promise<unknown>;
}

/** The shape kilo's plugin API expects under `hooks.tool[id]` (`@kilocode/plugin` `ToolDefinition`). */
export interface KiloToolDefinition {
  description: string;
  args: z.ZodRawShape;
  execute(args: unknown, context: { abort: AbortSignal }): Promise<string>;
}

/** Declares a tool; only types it (the checks run in `toKiloTool`). */
export function defineTool<S extends z.ZodRawShape>(tool: GastownTool<S>): GastownTool<S> {
  return tool;
}

/** `text` cut to `MAX_OUTPUT_CHARS` with a marker saying how much was dropped. */
export function capOutput(text: string): string {
  if (text.length <= MAX_OUTPUT_CHARS) return text;
  const dropped = text.length - MAX_OUTPUT_CHARS;
  return `${text.slice(0, MAX_OUTPUT_CHARS)}\n[… output truncated: ${dropped} more characters]`;
}

/** A result as the model reads it: strings as they are, anything else as pretty JSON. */
function render(result: unknown): string {
  if (typeof result === 'string') return result;
  return JSON.stringify(result ?? null, null, 2);
}

/** Binds `tool` to this plugin instance's API client and agent as a kilo tool definition. */
export function toKiloTool<S extends z.ZodRawShape>(tool: GastownTool<S>, bind: Omit<ToolDeps, 'signal'>): KiloToolDefinition {
  // Unknown keys are dropped, not refused: the worker validates the body strictly anyway.
  const schema = z.object(tool.args);
  return {
    description: tool.description,
    args: tool.args,
    async execute(raw, context) {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) throw new Error(`Invalid arguments for ${tool.id}: ${z.prettifyError(parsed.error)}`);
      try {
        return capOutput(render(await tool.execute(parsed.data, { ...bind, signal: context.abort })));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(capOutput(`${tool.id} failed: ${message}`), { cause: err });
      }
    },
  };
}
