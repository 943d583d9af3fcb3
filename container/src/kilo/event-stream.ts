/**
 * The one event subscription of a `kilo serve` (`container.md` §5.1). A stream that was
 * established and then ends means the server is gone, so it is never re-opened (the pool treats
 * its end as a lost server). Only the *first* connection is retried: a fresh server can refuse or
 * reset it (observed when a new server took the loopback port a just-killed one had), and
 * treating that as a lost server failed the agent's start and cost a dispatch attempt.
 */
import type { KiloClient } from '@kilocode/sdk';
import type { Logger } from '../redact.ts';
import type { KiloEvent } from './backend.ts';
import { abortableSleep } from '../abortable-sleep.ts';

/** How a first connection is retried before the stream counts as lost. */
export interface EventStreamOptions {
  log: Logger;
  workdir: string;
  /** Connection attempts until the first event arrives (≥ 1). */
  connectAttempts: number;
  /** Pause between those attempts. */
  connectRetryMs: number;
}

/** An SSE payload as a `KiloEvent` (plain `Event`, or a `{payload}` wrapper), else null. */
export function toKiloEvent(data: unknown): KiloEvent | null {
  if (typeof data !== 'object' || data === null) return null;
  const obj = data as { type?: unknown; properties?: unknown; payload?: unknown };
  if (typeof obj.type === 'string') {
    const props = typeof obj.properties === 'object' && obj.properties !== null ? (obj.properties as Record<string, unknown>) : {};
    return { type: obj.type, properties: props };
  }
  return obj.payload === undefined ? null : toKiloEvent(obj.payload);
}

/** The events of `client` until `stop` aborts (close or exit) or an established stream ends. */
export async function* kiloEventStream(client: KiloClient, stop: AbortSignal, opts: EventStreamOptions): AsyncGenerator<KiloEvent> {
  for (let attempt = 1; !stop.aborted; attempt++) {
    let failure: unknown = null;
    let received = false;
    // One attempt per subscription: the SDK's own retry would also re-open an established stream.
    const sse = await client.event.subscribe({ signal: stop, sseMaxRetryAttempts: 1, onSseError: (err) => (failure = err) });
    for await (const data of sse.stream) {
      received = true;
      const event = toKiloEvent(data);
      if (event !== null) yield event;
    }
    if (stop.aborted) return;
    const error = failure instanceof Error ? { message: failure.message, cause: failure.cause } : failure;
    if (received || attempt >= opts.connectAttempts) {
      opts.log.warn('kilo.event_stream_ended', { workdir: opts.workdir, established: received, attempts: attempt, error });
      return;
    }
    opts.log.warn('kilo.event_stream_retry', { workdir: opts.workdir, attempt, error });
    await abortableSleep(opts.connectRetryMs, stop);
  }
}
