/**
 * Per-agent event ring buffers (`container.md` §2 `GET /agents/:id/events`): the last 2000 events
 * of each agent, numbered by one process-wide counter so `?after=N` pages across agents' restarts.
 */

/** One stored event as the route returns it. */
export interface RingEvent {
  id: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

/** Events kept per agent. */
export const RING_CAPACITY = 2000;

/** The rings of every agent, keyed by agent id. */
export class EventRings {
  readonly #rings = new Map<string, RingEvent[]>();
  #nextId = 1;

  /** Appends an event to `agentId`'s ring (dropping its oldest beyond the capacity); returns its id. */
  push(agentId: string, type: string, data: Record<string, unknown>, at: string = new Date().toISOString()): number {
    let ring = this.#rings.get(agentId);
    if (ring === undefined) {
      ring = [];
      this.#rings.set(agentId, ring);
    }
    const id = this.#nextId;
    this.#nextId += 1;
    ring.push({ id, type, at, data });
    if (ring.length > RING_CAPACITY) ring.splice(0, ring.length - RING_CAPACITY);
    return id;
  }

  /** The agent's events with an id above `after` (all when omitted); `[]` for an unknown agent. */
  after(agentId: string, after = 0): RingEvent[] {
    const ring = this.#rings.get(agentId);
    if (ring === undefined) return [];
    return ring.filter((e) => e.id > after);
  }
}
