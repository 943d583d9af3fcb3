/**
 * The one wrapper every gastown tool goes through (`style.md` §8, `tools.md` §3): a tool declares
 * its argument object (a protocol schema) and a description per argument; the wrapper hands kilo
 * the described shape, validates arguments before any call (unknown top-level keys dropped,
 * whole-object rules kept), turns failures into one model-readable message and results into a
 * string (a sentence, or pretty JSON) capped at 16 KB.
 */
import { z } from 'zod';
import type { GastownApi } from './api-client.ts';
import type { AgentContext } from './context.ts';
import type { PluginLog } from './log.ts';
import type { PrimeSource } from './prime-source.ts';

/** Longest tool result handed to the model (`tools.md` §3). */
export const MAX_OUTPUT_CHARS = 16 * 1024;

/** The argument object of a tool that takes none. */
export const NO_ARGS = z.strictObject({});

/** What a tool's `execute` gets besides its arguments. */
export interface ToolDeps {
  api: GastownApi;
  agent: AgentContext;
  /** The last prime (its hooked bead feeds `gt_done`). */
  prime: PrimeSource;
  /** The tool call's abort signal. */
  signal: AbortSignal;
}

/** Any argument object: a protocol schema, strict or not, refined or not. */
type ArgsObject = z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;

/** A tool as written in `tools/<name>.ts`. */
export interface ToolSpec<T extends ArgsObject> {
  id: string;
  description: string;
  /** The argument object, from `src/protocol/` (never re-declared here). */
  args: T;
  /** What the model reads about each argument; every argument has one. */
  describe: { readonly [K in keyof T['shape']]: string };
  /** Returns a sentence or a JSON-able value; throws on failure (the message reaches the model). */
  execute(args: z.output<T>, deps: ToolDeps): Promise<unknown>;
}

/** Validated arguments bound to the tool's `execute`, or why they were refused. */
export type PreparedCall = { ok: true; run(deps: ToolDeps): Promise<unknown> } | { ok: false; message: string };

/** A declared tool, independent of its argument type (so one registry holds them all). */
export interface GastownTool {
  readonly id: string;
  readonly description: string;
  /** The described argument shape kilo turns into the model's JSON Schema. */
  readonly args: z.ZodRawShape;
  /** Validates raw arguments before any call. */
  prepare(raw: unknown): PreparedCall;
}

/** The shape kilo's plugin API expects under `hooks.tool[id]` (`@kilocode/plugin` `ToolDefinition`). */
export interface KiloToolDefinition {
  description: string;
  args: z.ZodRawShape;
  execute(args: unknown, context: { abort: AbortSignal }): Promise<string>;
}

/** Declares a tool: its described shape for kilo and its validation, bound to `execute`. */
export function defineTool<T extends ArgsObject>(spec: ToolSpec<T>): GastownTool {
  const described = describeShape(spec.args.shape, spec.describe);
  return {
    id: spec.id,
    description: spec.description,
    args: described,
    prepare(raw) {
      const parsed = spec.args.safeParse(knownKeys(raw, spec.args.shape));
      if (!parsed.success) return { ok: false, message: `Invalid arguments for ${spec.id}: ${formatIssues(parsed.error)}` };
      return { ok: true, run: (deps) => spec.execute(parsed.data, deps) };
    },
  };
}

/** A copy of `shape` whose fields carry the model-facing descriptions (the protocol schemas stay untouched). */
function describeShape(shape: z.ZodRawShape, texts: Readonly<Record<string, string>>): z.ZodRawShape {
  return Object.fromEntries(
    Object.entries(shape).map(([key, field]) => {
      const text = texts[key];
      return [key, field instanceof z.ZodType && text !== undefined ? field.describe(text) : field];
    }),
  );
}

/** `raw` without top-level keys the tool does not declare (a model's extra key is dropped, not refused). */
function knownKeys(raw: unknown, shape: z.ZodRawShape): unknown {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => Object.hasOwn(shape, key)));
}

/** `path: message` per issue, on one line. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(arguments)'}: ${issue.message}`).join('; ');
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

/** What `toKiloTool` binds besides the call's signal. */
export interface ToolBinding extends Omit<ToolDeps, 'signal'> {
  log: PluginLog;
}

/** Binds `tool` to this plugin instance's API client and agent as a kilo tool definition. */
export function toKiloTool(tool: GastownTool, bind: ToolBinding): KiloToolDefinition {
  const { log, ...deps } = bind;
  return {
    description: tool.description,
    args: tool.args,
    async execute(raw, context) {
      const prepared = tool.prepare(raw);
      if (!prepared.ok) throw new Error(capOutput(prepared.message));
      try {
        return capOutput(render(await prepared.run({ ...deps, signal: context.abort })));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log('warn', 'tool.failed', { tool: tool.id, error: message.slice(0, 500) });
        throw new Error(capOutput(message), { cause: err });
      }
    },
  };
}
