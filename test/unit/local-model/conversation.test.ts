/**
 * How the local model reads a request (`container.md` §10): the step counts assistant messages
 * since the last user message, tool calls pair with their results, kilo's injected blocks leave
 * the user message, `gt-local:` lines steer, requests without tools get a short plain answer and
 * a call of a tool the request does not offer never goes out. Also the OpenAI chunk shapes.
 */
import { describe, expect, it } from 'vitest';
import { parseChatRequest } from '../../../container/src/local-model/chat-request.ts';
import { completionBody, streamChunks, sseBody } from '../../../container/src/local-model/completion-format.ts';
import { parseDirectives, withoutDirectives } from '../../../container/src/local-model/directives.ts';
import { nextReply } from '../../../container/src/local-model/script.ts';
import { MAYOR_TOOLS, POLECAT_TOOLS, assignment, chat, systemWith, textOf, toolCall } from './chat.ts';

const META = { id: 'chatcmpl-local-0', model: 'polecat', created: 1_700_000_000, callId: 'call_local_0', promptChars: 400 };

describe('conversation', () => {
  it('counts the step from the last user message and pairs each call with its result', () => {
    const conv = chat({
      model: 'polecat',
      user: 'Go',
      tools: POLECAT_TOOLS,
      turn: [
        { name: 'bash', args: { command: 'ls', description: 'list' }, result: 'a\nb' },
        { name: 'gt_prime', args: {}, result: '{}' },
      ],
    });
    expect(conv.step).toBe(2);
    expect(conv.exchanges).toEqual([
      { name: 'bash', args: { command: 'ls', description: 'list' }, result: 'a\nb' },
      { name: 'gt_prime', args: {}, result: '{}' },
    ]);
  });

  it("drops kilo's environment details from the user message and reads the assignment block", () => {
    const a = assignment();
    const conv = chat({ model: 'polecat', system: systemWith(a), user: 'Hello', tools: POLECAT_TOOLS });
    expect(conv.userMessage).toBe('Hello');
    expect(conv.assignment).toEqual(a);
  });

  it('reads steering lines from the system prompt and the user message, the later winning', () => {
    expect(parseDirectives(['gt-local: file=a.txt|delay_ms=10', 'x\n  gt-local: fail=2|file=b.txt\n'])).toEqual({ file: 'b.txt', delayMs: 10, failStep: 2 });
    expect(parseDirectives(['gt-local: delay_ms=soon|fail=-1|bogus'])).toEqual({});
    expect(withoutDirectives('keep\ngt-local: fail=1\nthis')).toBe('keep\nthis');
    const conv = chat({ model: 'polecat', system: 'gt-local: delay_ms=5', user: 'gt-local: fail=0', tools: POLECAT_TOOLS });
    expect(conv.directives).toEqual({ delayMs: 5, failStep: 0 });
  });

  it('refuses a body that is no chat request, naming the field', () => {
    expect(parseChatRequest({ messages: [] })).toMatchObject({ ok: false, message: expect.stringContaining('model') });
    expect(parseChatRequest({ model: 'mayor', messages: 'hi' })).toMatchObject({ ok: false, message: expect.stringContaining('messages') });
  });
});

describe('nextReply', () => {
  it('answers a request without tools (a title) with short plain text', () => {
    expect(textOf(nextReply(chat({ model: 'title', user: 'Generate a title for this conversation' })))).toBe('Gastown task');
    expect(textOf(nextReply(chat({ model: 'polecat', user: 'Summarise' })))).toBe('Nothing further to report.');
  });

  it('runs the role script of the model id', () => {
    expect(toolCall(nextReply(chat({ model: 'mayor', user: 'Fix it', tools: MAYOR_TOOLS }))).name).toBe('gt_list_rigs');
    expect(toolCall(nextReply(chat({ model: 'polecat', system: systemWith(assignment()), user: 'Go', tools: POLECAT_TOOLS }))).name).toBe('bash');
  });

  it('never calls a tool the request does not offer', () => {
    const reply = nextReply(chat({ model: 'mayor', user: 'Fix it', tools: ['gt_sling'] }));
    expect(textOf(reply)).toContain('gt_list_rigs');
  });

  it('says so for an unknown model id', () => {
    expect(textOf(nextReply(chat({ model: 'gpt-9', user: 'hi', tools: ['bash'] })))).toContain('gpt-9');
  });
});

describe('completion format', () => {
  it('streams text as a content delta, finish_reason stop, usage, then [DONE]', () => {
    const chunks = streamChunks({ kind: 'text', text: 'Ready.' }, META) as { choices: { delta?: unknown; finish_reason?: unknown }[]; usage?: unknown }[];
    expect(chunks).toHaveLength(3);
    expect(chunks[0]?.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: 'Ready.' }, finish_reason: null });
    expect(chunks[1]?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop' });
    expect(chunks[2]?.choices).toEqual([]);
    expect(chunks[2]?.usage).toEqual({ prompt_tokens: 100, completion_tokens: 2, total_tokens: 102 });
    const body = sseBody({ kind: 'text', text: 'Ready.' }, META);
    expect(body.split('\n\n').filter((l) => l !== '')).toHaveLength(4);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('streams a tool call as one tool_calls delta with JSON arguments and finish_reason tool_calls', () => {
    const chunks = streamChunks({ kind: 'tool', name: 'gt_done', args: { branch: 'b' } }, META) as { choices: { delta?: unknown; finish_reason?: unknown }[] }[];
    expect(chunks[0]?.choices[0]?.delta).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: 'call_local_0', type: 'function', function: { name: 'gt_done', arguments: '{"branch":"b"}' } }],
    });
    expect(chunks[1]?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('answers a non-streamed request with one chat.completion', () => {
    expect(completionBody({ kind: 'tool', name: 'bash', args: { command: 'ls' } }, META)).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_local_0', function: { name: 'bash', arguments: '{"command":"ls"}' } }] } }],
    });
  });
});
