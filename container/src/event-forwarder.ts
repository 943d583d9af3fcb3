/**
 * Forwards session events to the worker (`container.md` §7): per agent, a queue flushed every
 * `eventFlushMs` or at 100 events with one batch in flight (`POST P/events`, ≤ 100 events,
 * ≤ 1 MB). Noise is never queued, streaming part updates coalesce, big data is truncated, every
 * string is redacted; failed batches are retried per `eventRetryMs`, then dropped and counted.
 */
import type { AgentEventInput } from '../../src/protocol/agent.ts';
import type { Logger, Redactor } from './redact.ts';
import type { Timings } from './timings.ts';
import type { AgentCredentials, WorkerClient } from './worker-client.ts';
import { WorkerCallError } from './worker-client.ts';
import { abortableSleep } from './abortable-sleep.ts';

/** Event types never forwarded (`container.md` §7). */
export const NEVER_FORWARDED: ReadonlySet<string> = new Set(['server.heartbeat', 'server.connected', 'message.part.delta']);
/** Events per batch (route limit). */
export const MAX_BATCH_EVENTS = 100;
/** Events queued per agent; beyond it the oldest are dropped and counted. */
export const MAX_QUEUE = 2000;
/** `data` larger than this (bytes of JSON) is replaced by a truncated preview. */
export const MAX_DATA_BYTES = 32 * 1024;
/** Bytes of one batch body, under the route's 1 MB limit with room for the envelope. */
const MAX_BATCH_BYTES = 1_000_000 - 1_024;
const MAX_TYPE_LENGTH = 64;
/** Statuses a retry cannot fix: the batch is dropped at once. */
const FINAL_STATUSES = new Set([400, 403, 404, 413, 422]);

interface Entry {
  event: AgentEventInput;
  /** `message.part.updated` only: the part it updates. */
  partKey: string | null;
  bytes: number;
}

interface Lane {
  who: AgentCredentials;
  queue: Entry[];
  timer: NodeJS.Timeout | null;
  inFlight: Promise<void> | null;
  overflowDropped: number;
}

/** Constructor options of `EventForwarder`. */
export interface EventForwarderOptions {
  worker: WorkerClient;
  timings: Timings;
  log: Logger;
  redactor: Redactor;
}

/** Per-agent event batching towards `P/events`. */
export class EventForwarder {
  readonly #opts: EventForwarderOptions;
  readonly #lanes = new Map<string, Lane>();
  /** Aborts retry waits when the forwarder stops. */
  readonly #stopping = new AbortController();

  constructor(opts: EventForwarderOptions) {
    this.#opts = opts;
  }

  /** Queues one event of `agent` (ignored for never-forwarded types and after `stop`). */
  push(agent: AgentCredentials, type: string, data: Record<string, unknown>, at: string = new Date().toISOString()): void {
    if (NEVER_FORWARDED.has(type) || this.#stopping.signal.aborted) return;
    const lane = this.#lane(agent);
    const safe = capData(this.#opts.redactor.redactRecord(data));
    const event: AgentEventInput = { type: type.slice(0, MAX_TYPE_LENGTH), data: safe, at };
    const partKey = type === 'message.part.updated' ? partKeyOf(safe) : null;
    if (partKey !== null) {
      // A batch keeps only the last update of a part: replace a queued one, move it to the end.
      const i = lane.queue.findIndex((e) => e.partKey === partKey);
      if (i >= 0) lane.queue.splice(i, 1);
    }
    lane.queue.push({ event, partKey, bytes: byteLength(JSON.stringify(event)) + 1 });
    if (lane.queue.length > MAX_QUEUE) {
      lane.queue.shift();
      lane.overflowDropped += 1;
    }
    if (lane.queue.length >= MAX_BATCH_EVENTS) void this.#sendNext(lane);
    else this.#arm(lane);
  }

  /** Events queued (not in flight) for `agentId`. */
  pending(agentId: string): number {
    return this.#lanes.get(agentId)?.queue.length ?? 0;
  }

  /** Sends everything queued for `agentId` now, batch after batch; resolves when the queue is empty. */
  async flush(agentId: string): Promise<void> {
    const lane = this.#lanes.get(agentId);
    if (lane === undefined) return;
    this.#disarm(lane);
    while (lane.inFlight !== null || lane.queue.length > 0) {
      await (lane.inFlight ?? this.#sendNext(lane));
    }
  }

  /** `flush` for every agent in parallel (drain step 6; the caller bounds the wait). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.#lanes.keys()].map((id) => this.flush(id)));
  }

  /** Flushes `agentId`, then forgets its lane (the agent's record is gone). */
  async close(agentId: string): Promise<void> {
    await this.flush(agentId);
    const lane = this.#lanes.get(agentId);
    if (lane !== undefined && lane.queue.length === 0 && lane.inFlight === null) {
      this.#disarm(lane);
      this.#lanes.delete(agentId);
    }
  }

  /** Stops every timer and retry; queued events are abandoned. */
  stop(): void {
    this.#stopping.abort();
    for (const lane of this.#lanes.values()) this.#disarm(lane);
  }

  #lane(agent: AgentCredentials): Lane {
    let lane = this.#lanes.get(agent.agentId);
    if (lane === undefined) {
      lane = { who: agent, queue: [], timer: null, inFlight: null, overflowDropped: 0 };
      this.#lanes.set(agent.agentId, lane);
    } else {
      lane.who = agent; // a newer record of the same agent carries the current token
    }
    return lane;
  }

  #arm(lane: Lane): void {
    if (lane.timer !== null || lane.inFlight !== null || this.#stopping.signal.aborted) return;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      void this.#sendNext(lane);
    }, this.#opts.timings.eventFlushMs);
    lane.timer.unref();
  }

  #disarm(lane: Lane): void {
    if (lane.timer !== null) clearTimeout(lane.timer);
    lane.timer = null;
  }

  /** Sends one batch (unless one is in flight); afterwards re-arms or continues at ≥ 100. */
  #sendNext(lane: Lane): Promise<void> {
    if (lane.inFlight !== null) return lane.inFlight;
    this.#disarm(lane);
    if (lane.overflowDropped > 0) {
      this.#opts.log.warn('events.dropped', { agent_id: lane.who.agentId, count: lane.overflowDropped, reason: 'queue_full' });
      lane.overflowDropped = 0;
    }
    const batch = takeBatch(lane.queue);
    if (batch.length === 0) return Promise.resolve();
    lane.inFlight = this.#sendWithRetry(lane, batch).finally(() => {
      lane.inFlight = null;
      if (lane.queue.length >= MAX_BATCH_EVENTS) void this.#sendNext(lane);
      else if (lane.queue.length > 0) this.#arm(lane);
    });
    return lane.inFlight;
  }

  async #sendWithRetry(lane: Lane, batch: AgentEventInput[]): Promise<void> {
    const delays = this.#opts.timings.eventRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#opts.worker.agent(lane.who, 'POST', '/events', { events: batch });
        return;
      } catch (err) {
        const status = err instanceof WorkerCallError ? err.status : 0;
        const delay = delays[attempt];
        if (FINAL_STATUSES.has(status) || delay === undefined || this.#stopping.signal.aborted) {
          this.#opts.log.warn('events.dropped', {
            agent_id: lane.who.agentId,
            count: batch.length,
            reason: 'send_failed',
            status,
            attempts: attempt + 1,
            error: err instanceof Error ? err.message : String(err),
          });
          return;
        }
        await abortableSleep(delay, this.#stopping.signal);
      }
    }
  }
}

/** Takes up to 100 events, fewer if the next one would push the body past the byte budget. */
function takeBatch(queue: Entry[]): AgentEventInput[] {
  let bytes = 0;
  let n = 0;
  while (n < queue.length && n < MAX_BATCH_EVENTS) {
    const entry = queue[n];
    if (entry === undefined || (n > 0 && bytes + entry.bytes > MAX_BATCH_BYTES)) break;
    bytes += entry.bytes;
    n++;
  }
  return queue.splice(0, n).map((e) => e.event);
}

/** `data`, or a marker object with a JSON preview when it is over `MAX_DATA_BYTES`. */
export function capData(data: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(data);
  const size = byteLength(json);
  if (size <= MAX_DATA_BYTES) return data;
  let keep = MAX_DATA_BYTES - 256;
  for (;;) {
    const preview = Buffer.from(json).subarray(0, Math.max(0, keep)).toString('utf8');
    const marked = { truncated: true, original_bytes: size, preview };
    const over = byteLength(JSON.stringify(marked)) - MAX_DATA_BYTES;
    if (over <= 0 || keep <= 0) return marked;
    keep -= over + 16; // escaping grew the preview: shrink by the excess
  }
}

/** The part a `message.part.updated` event updates (`properties.part.id`). */
function partKeyOf(data: Record<string, unknown>): string | null {
  const part = data.part;
  if (typeof part !== 'object' || part === null || !('id' in part)) return null;
  return typeof part.id === 'string' ? part.id : null;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
