/**
 * A loopback OpenAI-compatible model for container tests: `GET /v1/models` and `POST
 * /v1/chat/completions` (streaming SSE chunks — a content or `tool_calls` delta, `finish_reason`,
 * usage, `[DONE]` — or one JSON completion). Each test scripts the replies per request and reads
 * the recorded requests; kilo reaches it as an `openai-compatible` provider.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chat request as the stub saw it. */
export interface ChatRequest {
  /** 0-based arrival index among chat requests. */
  index: number;
  model: string;
  stream: boolean;
  /** The `messages` array as sent. */
  messages: { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
  /** Names of the offered tools (`tools[].function.name`). */
  tools: string[];
  /** The role of the last message (`user`, `tool`, …). */
  lastRole: string | null;
  /** The whole parsed body. */
  body: Record<string, unknown>;
}

/** What the stub answers: text, or one tool call (arguments as an object or a JSON string). */
export type StubReply = { text: string } | { toolCall: { name: string; arguments: Record<string, unknown> | string } };

/** Picks the reply to a request. */
export type StubScript = (req: ChatRequest) => StubReply;

/** A running stub. */
export interface OpenAiStub {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `<url>/v1`: the provider's `base_url`. */
  baseUrl: string;
  /** Every chat request, in arrival order. */
  requests: ChatRequest[];
  /** Replaces the script. */
  setScript(script: StubScript): void;
  /** Resolves with the first request (past or future) satisfying `pred`. */
  waitFor(pred: (r: ChatRequest) => boolean): Promise<ChatRequest>;
  stop(): Promise<void>;
}

/** Options of `startOpenAiStub`. */
export interface OpenAiStubOptions {
  /** Model ids `GET /v1/models` lists. */
  models?: string[];
  script?: StubScript;
}

/**
 * The default script: requests without tools (titles, summaries) get a short text; with tools, a
 * turn that has not yet seen a tool result calls `gt_prime` (rig roles) or else the first offered
 * `gt_*` tool with `{}`, and after the tool result the reply is the text `done`.
 */
export const defaultScript: StubScript = (req) => {
  if (req.tools.length === 0) return { text: 'Gastown task' };
  if (req.lastRole === 'tool') return { text: 'done' };
  const gt = req.tools.includes('gt_prime') ? 'gt_prime' : req.tools.find((t) => t.startsWith('gt_'));
  return gt === undefined ? { text: 'done' } : { toolCall: { name: gt, arguments: {} } };
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function toChatRequest(index: number, body: Record<string, unknown>): ChatRequest {
  const messages = Array.isArray(body.messages) ? (body.messages as ChatRequest['messages']) : [];
  const tools = Array.isArray(body.tools)
    ? body.tools.flatMap((t: unknown) => {
        const name = (t as { function?: { name?: unknown } } | null)?.function?.name;
        return typeof name === 'string' ? [name] : [];
      })
    : [];
  return {
    index,
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    messages,
    tools,
    lastRole: messages.at(-1)?.role ?? null,
    body,
  };
}

const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

/** The SSE chunks of one streamed reply. */
function streamChunks(id: string, model: string, reply: StubReply, callId: string): unknown[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null): unknown => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const out: unknown[] = [];
  if ('text' in reply) {
    out.push(chunk({ role: 'assistant', content: reply.text }, null), chunk({}, 'stop'));
  } else {
    const args = typeof reply.toolCall.arguments === 'string' ? reply.toolCall.arguments : JSON.stringify(reply.toolCall.arguments);
    out.push(
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: reply.toolCall.name, arguments: args } }] }, null),
      chunk({}, 'tool_calls'),
    );
  }
  out.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: USAGE });
  return out;
}

/** One non-streamed completion. */
function completion(id: string, model: string, reply: StubReply, callId: string): unknown {
  const message =
    'text' in reply
      ? { role: 'assistant', content: reply.text }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: callId,
              type: 'function',
              function: { name: reply.toolCall.name, arguments: typeof reply.toolCall.arguments === 'string' ? reply.toolCall.arguments : JSON.stringify(reply.toolCall.arguments) },
            },
          ],
        };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
    usage: USAGE,
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/** Starts the stub on 127.0.0.1 with an OS-chosen port. */
export async function startOpenAiStub(opts: OpenAiStubOptions = {}): Promise<OpenAiStub> {
  const requests: ChatRequest[] = [];
  const waiters: { pred: (r: ChatRequest) => boolean; resolve: (r: ChatRequest) => void }[] = [];
  let script = opts.script ?? defaultScript;
  const models = opts.models ?? ['stub-model', 'stub-small'];

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'GET' && path === '/v1/models') {
        return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'stub' })) });
      }
      if (req.method !== 'POST' || path !== '/v1/chat/completions') return json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: { message: 'invalid JSON' } });
      }
      const chat = toChatRequest(requests.length, body);
      requests.push(chat);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w !== undefined && w.pred(chat)) {
          waiters.splice(i, 1);
          w.resolve(chat);
        }
      }
      const reply = script(chat);
      const id = `chatcmpl-stub-${chat.index}`;
      const callId = `call_stub_${chat.index}`;
      if (!chat.stream) return json(res, 200, completion(id, chat.model, reply, callId));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      for (const c of streamChunks(id, chat.model, reply, callId)) res.write(`data: ${JSON.stringify(c)}\n\n`);
      res.end('data: [DONE]\n\n');
    })().catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { message: String(err) } });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    setScript: (s) => {
      script = s;
    },
    waitFor: (pred) => {
      const seen = requests.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
