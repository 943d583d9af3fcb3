/**
 * Small hooks shared by the pages: `useLoad` (an API read with loading and error state that a
 * page can reload or patch locally) and `useNow` (a clock ticking every 30 s for relative times).
 */
import { useEffect, useRef, useState } from 'hono/jsx/dom';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Fetches again; the current data stays on screen meanwhile. */
  reload(): void;
  /** Replaces the data locally (a live frame, a write's response). */
  set(update: (current: T) => T): void;
}

/** Runs `load` on mount and whenever `deps` change; only the latest call's result is kept. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (call !== latest.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (call !== latest.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [...deps, version]);
  return {
    data,
    error,
    loading,
    reload: () => setVersion((v) => v + 1),
    set: (update) => setData((current) => (current === null ? current : update(current))),
  };
}

const listeners = new Set<(now: number) => void>();
let clock: ReturnType<typeof setInterval> | null = null;

/** The current time, refreshed every 30 s (one shared timer for the whole page). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    listeners.add(setNow);
    if (clock === null) clock = setInterval(() => listeners.forEach((l) => l(Date.now())), 30_000);
    return () => {
      listeners.delete(setNow);
      if (listeners.size === 0 && clock !== null) {
        clearInterval(clock);
        clock = null;
      }
    };
  }, []);
  return now;
}
