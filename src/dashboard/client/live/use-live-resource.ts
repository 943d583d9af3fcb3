/**
 * `useLiveResource`: an API read kept current without reloading the page. Frames from the
 * town's socket update it in place through `reduce` (or ask for a refetch), every `snapshot`
 * (each connect and reconnect) refetches to catch up, and while the socket is down it refetches
 * on the polling interval.
 */
import { useEffect, useRef } from 'hono/jsx/dom';
import type { LiveFrame } from '../../../protocol/live.ts';
import { useLoad, type Loaded } from '../hooks.ts';
import { useLiveFrames, usePollWhileDown } from './live-context.tsx';

/** What a frame does to a resource: a new value, a refetch, or nothing. */
export type FrameEffect<T> = T | 'reload' | null;

/** Coalesces refetch requests that arrive together (a burst of frames). */
const RELOAD_DEBOUNCE_MS = 250;

export function useLiveResource<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  reduce: (current: T, frame: LiveFrame) => FrameEffect<T> = () => null,
): Loaded<T> {
  const loaded = useLoad(load, deps);
  const current = useRef<T | null>(null);
  current.current = loaded.data;
  const pending = useRef<number | null>(null);
  const reload = useRef(loaded.reload);
  reload.current = loaded.reload;

  const scheduleReload = (): void => {
    if (pending.current !== null) return;
    pending.current = window.setTimeout(() => {
      pending.current = null;
      reload.current();
    }, RELOAD_DEBOUNCE_MS);
  };
  useEffect(
    () => () => {
      if (pending.current !== null) window.clearTimeout(pending.current);
    },
    [],
  );

  useLiveFrames((frame) => {
    if (frame.type === 'snapshot') {
      scheduleReload();
      return;
    }
    const data = current.current;
    if (data === null) return;
    const effect = reduce(data, frame);
    if (effect === 'reload') scheduleReload();
    else if (effect !== null) {
      current.current = effect;
      loaded.set(() => effect);
    }
  });
  usePollWhileDown(() => reload.current());
  return loaded;
}
