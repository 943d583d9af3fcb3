/**
 * Adapts the `@kilocode/sdk` client to the process manager's `KiloSessionClient`: each call gets
 * a timeout, an SDK error result or a network failure becomes a `KiloCallError` with the HTTP
 * status, and sessions shrink to `{id, updatedAt}`.
 */
import type { KiloClient, Session } from '@kilocode/sdk';
import { KiloCallError } from './backend.ts';
import type { KiloPromptInput, KiloSession, KiloSessionClient } from './backend.ts';

/** The `{data, error, response}` result every generated SDK method returns (throwOnError off). */
interface SdkResult<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

function errorMessage(error: unknown, fallback: string): string {
  if (typeof error === 'string' && error !== '') return error;
  if (typeof error === 'object' && error !== null) {
    const data = (error as { data?: { message?: unknown } }).data;
    if (typeof data?.message === 'string') return data.message;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return fallback;
}

/** Awaits one SDK call, throwing `KiloCallError` on an error result or a failed request. */
async function call<T>(what: string, run: () => Promise<SdkResult<T>>): Promise<T | undefined> {
  let result: SdkResult<T>;
  try {
    result = await run();
  } catch (err) {
    if (err instanceof KiloCallError) throw err;
    throw new KiloCallError(`${what}: ${errorMessage(err, 'request failed')}`, 0);
  }
  const status = result.response?.status ?? 0;
  if (result.error !== undefined || (status !== 0 && (status < 200 || status > 299))) {
    throw new KiloCallError(`${what}: ${errorMessage(result.error, `HTTP ${status}`)}`, status);
  }
  return result.data;
}

function toSession(s: Session | undefined, what: string): KiloSession {
  if (s === undefined || typeof s.id !== 'string') throw new KiloCallError(`${what}: no session in the reply`, 0);
  return { id: s.id, updatedAt: s.time.updated };
}

/** Wraps `client`; every call is abandoned after `callTimeoutMs`. */
export function sdkSessionClient(client: KiloClient, callTimeoutMs: number): KiloSessionClient {
  const signal = (): AbortSignal => AbortSignal.timeout(callTimeoutMs);
  const body = (input: KiloPromptInput) => ({
    parts: input.parts,
    ...(input.model === undefined ? {} : { model: input.model }),
    ...(input.system === undefined ? {} : { system: input.system }),
    ...(input.noReply === undefined ? {} : { noReply: input.noReply }),
  });
  return {
    async toolIds() {
      const ids = await call('tool.ids', () => client.tool.ids({ signal: signal() }));
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
    },
    async listSessions() {
      const list = await call('session.list', () => client.session.list({ signal: signal() }));
      return (list ?? []).map((s) => toSession(s, 'session.list'));
    },
    async createSession() {
      return toSession(await call('session.create', () => client.session.create({ body: {}, signal: signal() })), 'session.create');
    },
    async getSession(id) {
      return toSession(await call('session.get', () => client.session.get({ path: { id }, signal: signal() })), 'session.get');
    },
    async promptAsync(sessionId, input) {
      await call('session.promptAsync', () => client.session.promptAsync({ path: { id: sessionId }, body: body(input), signal: signal() }));
    },
    async prompt(sessionId, input) {
      await call('session.prompt', () => client.session.prompt({ path: { id: sessionId }, body: body(input), signal: signal() }));
    },
    async abort(sessionId) {
      await call('session.abort', () => client.session.abort({ path: { id: sessionId }, signal: signal() }));
    },
  };
}
