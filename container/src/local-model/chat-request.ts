/**
 * The OpenAI chat-completions request as the local model reads it (`container.md` §10): the
 * model id, the stream flag, the offered tool names and the messages reduced to text and tool
 * calls. This is a third-party wire format (what `@ai-sdk/openai-compatible` sends for kilo), so
 * it is parsed loosely here rather than declared in `src/protocol/`. Pure.
 */
import { z } from 'zod';

/** One tool call of an assistant message; `args` is the parsed JSON of `function.arguments`. */
export interface ToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** One message: its role, its text (text parts joined) and, for the assistant, its tool calls. */
export interface ChatMessage {
  role: string;
  text: string;
  toolCalls: ToolCall[];
  /** The call a `tool` message answers. */
  toolCallId: string | null;
}

/** A parsed chat request. */
export interface ChatRequest {
  model: string;
  stream: boolean;
  /** Names of the offered tools (`tools[].function.name`), in order. */
  tools: string[];
  messages: ChatMessage[];
}

const ContentPart = z.looseObject({ type: z.string().optional(), text: z.unknown().optional() });

const WireToolCall = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

const WireMessage = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  tool_calls: z.array(WireToolCall).nullish(),
  tool_call_id: z.string().nullish(),
});

const WireTool = z.looseObject({ function: z.looseObject({ name: z.string() }).optional() });

const WireChatRequest = z.looseObject({
  model: z.string().min(1),
  stream: z.boolean().optional(),
  messages: z.array(WireMessage),
  tools: z.array(WireTool).nullish(),
});

/** The text of a message's `content`: a string, or its text parts joined. */
function contentText(content: z.infer<typeof WireMessage>['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

/** `arguments` as an object: a JSON string is parsed; anything unparsable becomes `{}`. */
function callArgs(raw: unknown): Record<string, unknown> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Reads a request body; `{ok: false}` names what is wrong (the server answers 400). */
export function parseChatRequest(body: unknown): { ok: true; request: ChatRequest } | { ok: false; message: string } {
  const parsed = WireChatRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? 'body' : issue.path.join('.') || 'body';
    return { ok: false, message: `invalid chat request at ${where}: ${issue?.message ?? 'unreadable'}` };
  }
  const wire = parsed.data;
  return {
    ok: true,
    request: {
      model: wire.model,
      stream: wire.stream === true,
      tools: (wire.tools ?? []).flatMap((t) => (t.function === undefined ? [] : [t.function.name])),
      messages: wire.messages.map((m) => ({
        role: m.role,
        text: contentText(m.content),
        toolCalls: (m.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.function.name, args: callArgs(c.function.arguments) })),
        toolCallId: m.tool_call_id ?? null,
      })),
    },
  };
}
