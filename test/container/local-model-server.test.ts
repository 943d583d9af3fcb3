/**
 * The local model's HTTP server on loopback (`container.md` §10): `/v1/models`, SSE framing of a
 * streamed answer (delta, finish_reason, usage, `[DONE]`), the non-streamed JSON completion,
 * plain answers to requests without tools, the `/__local/requests` record (redacted) and reset,
 * `fail=` and `delay_ms=` steering, 4xx for bad bodies; and the lazy holder (one server for
 * concurrent first uses, a failed start retried, closed at shutdown).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LazyLocalModel } from '../../container/src/local-model/lazy.ts';
import type { LocalModelRecord, LocalModelServer } from '../../container/src/local-model/server.ts';
import { startLocalModel } from '../../container/src/local-model/server.ts';
import { chatBody } from '../unit/local-model/chat.ts';
import { captureLog } from './helpers.ts';

let model: LocalModelServer;
beforeEach(async () => {
  model = await startLocalModel({ redact: (text) => text.split('sekret-value-123').join('****-123') });
});
afterEach(async () => {
  await model.close();
});

async function post(path: string, body: unknown): Promise<Response> {
  return await fetch(`${model.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** The `data:` payloads of an SSE body, in order. */
function sseData(text: string): string[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      return block.slice('data: '.length);
    });
}

async function records(): Promise<LocalModelRecord[]> {
  const res = await fetch(`${model.url}/__local/requests`);
  return ((await res.json()) as { requests: LocalModelRecord[] }).requests;
}

describe('local model server', () => {
  it('listens on 127.0.0.1 and lists one model per role plus title', async () => {
    expect(model.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(model.baseUrl).toBe(`${model.url}/v1`);
    const res = await fetch(`${model.url}/v1/models`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(['mayor', 'polecat', 'refinery', 'title']);
  });

  it('streams a tool call as SSE: tool_calls delta, finish_reason, usage, [DONE]', async () => {
    const res = await post('/v1/chat/completions', chatBody({ model: 'mayor', user: 'Fix the login page', tools: ['gt_list_rigs', 'gt_sling'] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { object: string; choices: { delta: { tool_calls?: { function: { name: string; arguments: string } }[] }; finish_reason: string | null }[]; usage?: { total_tokens: number } });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.tool_calls?.[0]?.function).toEqual({ name: 'gt_list_rigs', arguments: '{}' });
    expect(chunks[1]?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks[2]?.choices).toEqual([]);
    expect(chunks[2]?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('answers a request without tools (title, summary) with short text, streamed or not', async () => {
    const streamed = sseData(await (await post('/v1/chat/completions', chatBody({ model: 'title', user: 'Generate a title' }))).text());
    const first = JSON.parse(streamed[0] ?? '{}') as { choices: { delta: { content: string } }[] };
    expect(first.choices[0]?.delta.content).toBe('Gastown task');
    const plain = await post('/v1/chat/completions', { ...chatBody({ model: 'title', user: 'Generate a title' }), stream: false });
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toMatchObject({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'Gastown task' }, finish_reason: 'stop' }] });
  });

  it('records each request with its step and reply, redacted, until reset', async () => {
    await post('/v1/chat/completions', chatBody({ model: 'mayor', user: 'Mayor ready.', tools: ['gt_list_rigs'] }));
    await post(
      '/v1/chat/completions',
      chatBody({ model: 'mayor', user: 'Use sekret-value-123 please', tools: ['gt_list_rigs', 'gt_sling'], turn: [{ name: 'gt_list_rigs', args: {}, result: '[]' }] }),
    );
    const seen = await records();
    expect(seen.map((r) => [r.index, r.model, r.step, r.reply])).toEqual([
      [0, 'mayor', 0, { kind: 'text', text: 'Ready.' }],
      [1, 'mayor', 1, { kind: 'text', text: 'No rigs configured.' }],
    ]);
    expect(seen[1]?.user_message).toBe('Use ****-123 please');
    expect(seen[1]?.last_tool_result).toBe('[]');
    expect(JSON.stringify(seen)).not.toContain('sekret-value-123');
    expect(model.requests()).toHaveLength(2);

    expect(await (await post('/__local/reset', {})).json()).toEqual({ reset: true });
    expect(await records()).toEqual([]);
  });

  it('fails the steered step with a non-retryable 400 and answers the other steps', async () => {
    const system = 'gt-local: fail=1';
    const step0 = await post('/v1/chat/completions', chatBody({ model: 'mayor', system, user: 'Fix it', tools: ['gt_list_rigs'] }));
    expect(step0.status).toBe(200);
    const step1 = await post('/v1/chat/completions', chatBody({ model: 'mayor', system, user: 'Fix it', tools: ['gt_list_rigs'], turn: [{ name: 'gt_list_rigs', args: {}, result: '[]' }] }));
    expect(step1.status).toBe(400);
    expect(await step1.json()).toEqual({ error: { message: 'gt-local: scripted failure at step 1', type: 'invalid_request_error', code: 'gt_local_fail' } });
    expect((await records()).at(-1)?.reply).toEqual({ kind: 'error', message: 'gt-local: scripted failure at step 1' });
  });

  it('still answers a delayed request', async () => {
    const res = await post('/v1/chat/completions', chatBody({ model: 'mayor', user: 'Mayor ready.\ngt-local: delay_ms=20', tools: ['gt_list_rigs'] }));
    expect(res.status).toBe(200);
    expect(sseData(await res.text()).at(-1)).toBe('[DONE]');
  });

  it('refuses bodies that are not chat requests with 400 and unknown routes with 404', async () => {
    const notJson = await post('/v1/chat/completions', '{nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error', message: 'the body is not JSON' } });
    const noModel = await post('/v1/chat/completions', { messages: [] });
    expect(noModel.status).toBe(400);
    expect(((await noModel.json()) as { error: { message: string } }).error.message).toContain('model');
    expect((await fetch(`${model.url}/v2/nothing`)).status).toBe(404);
    expect(await records()).toEqual([]);
  });
});

describe('LazyLocalModel', () => {
  it('starts one server for concurrent first uses, reuses it, and stops it on close', async () => {
    const started: LocalModelServer[] = [];
    const lazy = new LazyLocalModel({
      log: captureLog().log,
      start: async (opts) => {
        const s = await startLocalModel(opts);
        started.push(s);
        return s;
      },
    });
    expect(lazy.started).toBe(false);
    const [a, b] = await Promise.all([lazy.url(), lazy.url()]);
    expect(await lazy.url()).toBe(a);
    expect(b).toBe(a);
    expect(started).toHaveLength(1);
    expect((await fetch(`${a}/v1/models`)).status).toBe(200);
    await lazy.close();
    await expect(fetch(`${a}/v1/models`)).rejects.toThrow();
    await expect(lazy.url()).rejects.toThrow('shut down');
  });

  it('forgets a failed start so the next use tries again', async () => {
    const { log, msgs } = captureLog();
    let attempts = 0;
    const lazy = new LazyLocalModel({
      log,
      start: async (opts) => {
        attempts += 1;
        if (attempts === 1) throw new Error('port trouble');
        return await startLocalModel(opts);
      },
    });
    await expect(lazy.url()).rejects.toThrow('port trouble');
    expect(msgs()).toContain('local_model.start_failed');
    expect(await lazy.url()).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(attempts).toBe(2);
    await lazy.close();
  });
});
