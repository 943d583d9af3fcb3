/**
 * Where a container object keeps its bookkeeping between calls: the town it serves (learnt
 * from `control()` calls) and the watchdog state. Durable Object storage in production, memory
 * in tests and benchmarks.
 */
import { INITIAL_WATCHDOG, type WatchdogState } from './watchdog.ts';

export interface ControlState {
  town_id: string | null;
  watchdog: WatchdogState;
}

export interface ControlStore {
  load(): Promise<ControlState>;
  save(state: ControlState): Promise<void>;
  clear(): Promise<void>;
}

const KEY = 'gastown_container_control';

function initial(): ControlState {
  return { town_id: null, watchdog: { ...INITIAL_WATCHDOG, restarts: [] } };
}

/** A store over the object's own storage (one key). */
export function storageStore(storage: DurableObjectStorage): ControlStore {
  return {
    async load() {
      return (await storage.get<ControlState>(KEY)) ?? initial();
    },
    async save(state) {
      await storage.put(KEY, state);
    },
    async clear() {
      await storage.delete(KEY);
    },
  };
}

/** An in-memory store (tests, benchmarks). */
export function memoryStore(): ControlStore {
  let state = initial();
  return {
    async load() {
      return structuredClone(state);
    },
    async save(next) {
      state = structuredClone(next);
    },
    async clear() {
      state = initial();
    },
  };
}
