/**
 * The town's live connection for every component of a town page: `LiveProvider` opens one
 * `LiveConnection` per town (ticket flow) and shares it; `useLiveStatus`, `useLiveFrames`,
 * `useWatchAgent` and the polling hooks read it (`use-live-resource.ts` builds on them).
 */
import type { Child } from 'hono/jsx';
import { createContext, useContext, useEffect, useRef, useState } from 'hono/jsx/dom';
import type { LiveFrame } from '../../../protocol/live.ts';
import { townApi } from '../endpoints.ts';
import { openBrowserSocket } from './browser-socket.ts';
import { LiveConnection, type LiveStatus } from './live-connection.ts';

/** How often pages refetch while the socket is down. */
export const POLL_INTERVAL_MS = 5_000;
/** Reconnect delays after consecutive failures (the last repeats). */
const BACKOFF_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000];

type FrameListener = (frame: LiveFrame) => void;

interface LiveHub {
  status: LiveStatus;
  detail: string | null;
  /** The agent whose session events the socket receives (the latest request still held). */
  watchedAgentId: string | null;
  subscribe(listener: FrameListener): () => void;
  /** Asks for `agentId`'s session events; the returned function gives the request back. */
  requestWatch(agentId: string): () => void;
}

const idle: LiveHub = { status: 'closed', detail: null, watchedAgentId: null, subscribe: () => () => undefined, requestWatch: () => () => undefined };
const LiveContext = createContext<LiveHub>(idle);

/** Opens the live socket of `townId` for its children; closes it when the town changes. */
export function LiveProvider(props: { townId: string; children?: Child }) {
  const listeners = useRef(new Set<FrameListener>());
  const connection = useRef<LiveConnection | null>(null);
  const [status, setStatus] = useState<{ status: LiveStatus; detail: string | null }>({ status: 'connecting', detail: null });
  // A socket watches one agent: the latest request wins, and an earlier one resumes when it ends.
  const watchers = useRef<{ key: number; agentId: string }[]>([]);
  const watchSeq = useRef(0);
  const [watchedAgentId, setWatchedAgentId] = useState<string | null>(null);
  const applyWatch = (): void => {
    const top = watchers.current[watchers.current.length - 1]?.agentId ?? null;
    connection.current?.watchAgent(top);
    setWatchedAgentId(top);
  };
  useEffect(() => {
    const api = townApi(props.townId);
    const conn = new LiveConnection(
      {
        ticketUrl: async () => (await api.liveTicket()).url,
        openSocket: openBrowserSocket,
        setTimer: (fn, ms) => window.setTimeout(fn, ms),
        clearTimer: (handle) => window.clearTimeout(typeof handle === 'number' ? handle : undefined),
        backoffMs: BACKOFF_MS,
      },
      {
        onFrame: (frame) => listeners.current.forEach((l) => l(frame)),
        onStatus: (s, detail) => setStatus({ status: s, detail }),
      },
    );
    connection.current = conn;
    setStatus({ status: 'connecting', detail: null });
    conn.watchAgent(watchers.current[watchers.current.length - 1]?.agentId ?? null);
    conn.start();
    return () => {
      conn.stop();
      connection.current = null;
    };
  }, [props.townId]);
  const hub: LiveHub = {
    status: status.status,
    detail: status.detail,
    subscribe: (listener) => {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
    watchedAgentId,
    requestWatch: (agentId) => {
      const entry = { key: ++watchSeq.current, agentId };
      watchers.current.push(entry);
      applyWatch();
      return () => {
        watchers.current = watchers.current.filter((w) => w.key !== entry.key);
        applyWatch();
      };
    },
  };
  return <LiveContext.Provider value={hub}>{props.children}</LiveContext.Provider>;
}

/** The socket's status: `live`, `connecting`, `polling` (down, retrying) or `closed`. */
export function useLiveStatus(): { status: LiveStatus; detail: string | null } {
  const hub = useContext(LiveContext);
  return { status: hub.status, detail: hub.detail };
}

/** Calls `listener` (its latest version) for every frame. */
export function useLiveFrames(listener: FrameListener): void {
  const hub = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => hub.subscribe((frame) => latest.current(frame)), []);
}

/**
 * Asks the socket for `agentId`'s session events while the component is shown. True while they
 * actually stream here: the socket is live and no later request (another panel) took the watch.
 */
export function useWatchAgent(agentId: string | null): boolean {
  const hub = useContext(LiveContext);
  const request = useRef(hub.requestWatch);
  request.current = hub.requestWatch;
  useEffect(() => (agentId === null ? undefined : request.current(agentId)), [agentId]);
  return agentId !== null && hub.status === 'live' && hub.watchedAgentId === agentId;
}

/** Calls `tick` every POLL_INTERVAL_MS while `active`. */
export function usePollWhile(active: boolean, tick: () => void): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => latest.current(), POLL_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [active]);
}

/** Calls `tick` every POLL_INTERVAL_MS while the socket is down (not live, not connecting). */
export function usePollWhileDown(tick: () => void): void {
  const { status } = useLiveStatus();
  usePollWhile(status === 'polling' || status === 'closed', tick);
}
