/**
 * The OpenAI wire shapes of one reply (`container.md` §10): the SSE chunks of a streamed answer
 * (a content or `tool_calls` delta, then `finish_reason`, then usage, then `[DONE]`), the
 * non-streamed completion, the model list and the error body. Token counts are a deterministic
 * estimate (4 characters a token). Pure.
 */
import type { ModelReply } from './reply.ts';

/** Ids and clock of one completion. */
export interface CompletionMeta {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  /** The id of the tool call, when the reply is one. */
  callId: string;
  /** Characters of the request, for the usage estimate. */
  promptChars: number;
}

/** Usage as OpenAI reports it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

const CHARS_PER_TOKEN = 4;

function tokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}

function replyText(reply: ModelReply): string {
  return reply.kind === 'text' ? reply.text : JSON.stringify(reply.args);
}

/** The usage of `reply` to a request of `promptChars` characters. */
export function usageOf(reply: ModelReply, promptChars: number): Usage {
  const prompt = tokens(promptChars);
  const completion = tokens(replyText(reply).length);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function toolCall(reply: Extract<ModelReply, { kind: 'tool' }>, callId: string): { id: string; type: 'function'; function: { name: string; arguments: string } } {
  return { id: callId, type: 'function', function: { name: reply.name, arguments: JSON.stringify(reply.args) } };
}

/** The JSON objects of the SSE `data:` lines, in order (`[DONE]` not included). */
export function streamChunks(reply: ModelReply, meta: CompletionMeta): unknown[] {
  const chunk = (delta: Record<string, unknown>, finish: 'stop' | 'tool_calls' | null): unknown => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const first =
    reply.kind === 'text'
      ? chunk({ role: 'assistant', content: reply.text }, null)
      : chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...toolCall(reply, meta.callId) }] }, null);
  return [
    first,
    chunk({}, reply.kind === 'text' ? 'stop' : 'tool_calls'),
    { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], usage: usageOf(reply, meta.promptChars) },
  ];
}

/** The SSE body of a streamed reply, `[DONE]` last. */
export function sseBody(reply: ModelReply, meta: CompletionMeta): string {
  return `${streamChunks(reply, meta)
    .map((c) => `data: ${JSON.stringify(c)}\n\n`)
    .join('')}data: [DONE]\n\n`;
}

/** The non-streamed completion. */
export function completionBody(reply: ModelReply, meta: CompletionMeta): unknown {
  const message =
    reply.kind === 'text' ? { role: 'assistant', content: reply.text } : { role: 'assistant', content: null, tool_calls: [toolCall(reply, meta.callId)] };
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, finish_reason: reply.kind === 'text' ? 'stop' : 'tool_calls' }],
    usage: usageOf(reply, meta.promptChars),
  };
}

/** `GET /v1/models`. */
export function modelList(ids: readonly string[], created: number): unknown {
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created, owned_by: 'gastown-local' })) };
}

/** An OpenAI error body. */
export function errorBody(message: string, type: string, code: string): unknown {
  return { error: { message, type, code } };
}
