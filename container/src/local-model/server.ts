/**
 * The local model's HTTP server (`container.md` §10) on `127.0.0.1:0`: `GET /v1/models`, `POST
 * /v1/chat/completions` (SSE or one JSON completion, the reply picked by `nextReply`), and for
 * tests `GET /__local/requests` (what each request looked like and what was answered, redacted)
 * and `POST /__local/reset`. Stateless between requests apart from that record.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../redact.ts';
import { parseChatRequest } from './chat-request.ts';
import { completionBody, errorBody, modelList, sseBody } from './completion-format.ts';
import { toConversation } from './conversation.ts';
import type { Conversation } from './conversation.ts';
import type { ModelReply } from './reply.ts';
import { LOCAL_MODEL_IDS, nextReply } from './script.ts';
import { outputTail } from './shell.ts';

/** A request body larger than this is refused (a long session's full history stays well below it). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** The record keeps the newest requests only. */
const MAX_RECORDS = 1000;
/** Node's timer ceiling: a longer `delay_ms` waits this long. */
const MAX_DELAY_MS = 2_147_483_647;

/** One chat request as `GET /__local/requests` shows it. */
/** How long an idle keep-alive socket to the local model stays open. */
const IDLE_SOCKET_MS = 10 * 60_000;

export interface LocalModelRecord {
  index: number;
  at: string;
  model: string;
  stream: boolean;
  step: number;
  tools: string[];
  user_message: string | null;
  /** The tail of the last tool result of this turn. */
  last_tool_result: string | null;
  reply: ModelReply | { kind: 'error'; message: string };
}

/** Options of `startLocalModel`. */
export interface LocalModelOptions {
  log?: Logger;
  /** Applied to every recorded string (the control server passes its redactor). */
  redact?: (text: string) => string;
}

/** A running local model. */
export interface LocalModelServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `<url>/v1`: the provider's `baseURL`. */
  baseUrl: string;
  requests(): readonly LocalModelRecord[];
  reset(): void;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** The body as text; an oversized one is drained (so a 413 can still be sent) and rejected. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new BodyTooLarge(`the body is over ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function invalid(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, errorBody(message, 'invalid_request_error', status === 413 ? 'body_too_large' : 'invalid_request'));
}

/** Starts the local model on 127.0.0.1 with an OS-chosen port. */
export async function startLocalModel(opts: LocalModelOptions = {}): Promise<LocalModelServer> {
  const redact = opts.redact ?? ((text: string) => text);
  const records: LocalModelRecord[] = [];
  let counter = 0;

  const redactReply = (reply: LocalModelRecord['reply']): LocalModelRecord['reply'] => {
    if (reply.kind === 'error') return reply;
    if (reply.kind === 'text') return { kind: 'text', text: redact(reply.text) };
    return { kind: 'tool', name: reply.name, args: JSON.parse(redact(JSON.stringify(reply.args))) as Record<string, unknown> };
  };

  const record = (index: number, conv: Conversation, stream: boolean, reply: LocalModelRecord['reply']): void => {
    const lastResult = conv.exchanges.at(-1)?.result ?? null;
    records.push({
      index,
      at: new Date().toISOString(),
      model: conv.model,
      stream,
      step: conv.step,
      tools: [...conv.tools],
      user_message: conv.userMessage === null ? null : redact(conv.userMessage),
      last_tool_result: lastResult === null ? null : redact(outputTail(lastResult)),
      reply: redactReply(reply),
    });
    if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
  };

  const chat = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) return invalid(res, 413, err.message);
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return invalid(res, 400, 'the body is not JSON');
    }
    const parsed = parseChatRequest(body);
    if (!parsed.ok) return invalid(res, 400, parsed.message);
    const conv = toConversation(parsed.request);
    const index = counter++;
    const { delayMs, failStep } = conv.directives;
    if (delayMs !== undefined && delayMs > 0) {
      // The caller may give up first (a stop, an abort): stop waiting with it.
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      try {
        await sleep(Math.min(delayMs, MAX_DELAY_MS), undefined, { signal: gone.signal });
      } catch {
        return;
      }
    }
    if (failStep === conv.step) {
      const message = `gt-local: scripted failure at step ${conv.step}`;
      record(index, conv, parsed.request.stream, { kind: 'error', message });
      // A 400 is not retried by the provider SDK, so the turn fails at once.
      return sendJson(res, 400, errorBody(message, 'invalid_request_error', 'gt_local_fail'));
    }
    const reply = nextReply(conv);
    record(index, conv, parsed.request.stream, reply);
    const meta = { id: `chatcmpl-local-${index}`, model: conv.model, created: Math.floor(Date.now() / 1000), callId: `call_local_${index}`, promptChars: raw.length };
    if (!parsed.request.stream) return sendJson(res, 200, completionBody(reply, meta));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.end(sseBody(reply, meta));
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = `${req.method ?? 'GET'} ${path}`;
    const handled = (async () => {
      switch (route) {
        case 'GET /v1/models':
          return sendJson(res, 200, modelList(LOCAL_MODEL_IDS, 0));
        case 'POST /v1/chat/completions':
          return await chat(req, res);
        case 'GET /__local/requests':
          return sendJson(res, 200, { requests: records });
        case 'POST /__local/reset':
          records.length = 0;
          return sendJson(res, 200, { reset: true });
        default:
          return sendJson(res, 404, errorBody(`no route ${route}`, 'invalid_request_error', 'not_found'));
      }
    })();
    handled.catch((err: unknown) => {
      opts.log?.error('local_model.request_failed', { route, error: err });
      if (!res.headersSent) sendJson(res, 500, errorBody('the local model failed', 'server_error', 'internal'));
      else res.end();
    });
  });
  // kilo keeps its connections to the model open between turns; Node's 5 s default would close
  // an idle one just as kilo reuses it ("connection reset"), and kilo then waits for the user
  // instead of retrying. Idle sockets stay open until the client closes them.
  server.keepAliveTimeout = IDLE_SOCKET_MS;
  server.headersTimeout = IDLE_SOCKET_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  opts.log?.info('local_model.listening', { url });

  return {
    url,
    baseUrl: `${url}/v1`,
    requests: () => records,
    reset: () => {
      records.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) reject(err);
          else {
            opts.log?.info('local_model.closed', { url });
            resolve();
          }
        });
        server.closeAllConnections();
      }),
  };
}
