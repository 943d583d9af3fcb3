/**
 * The fixed rules of worker → control-server calls (`container.md` §11): which calls may start a
 * stopped container, what a stopped one answers instead, the per-call timeouts, and which
 * replies count as a failed call for the health watchdog. Pure.
 */
import type { ControlMethod, ControlResponse } from './container-rpc.ts';

/** Timeouts of `container.md` §11 (ms). */
export const CONTROL_TIMEOUTS = Object.freeze({
  /** Container start, and `/agents/start`. */
  start: 60_000,
  status: 10_000,
  stop: 10_000,
  health: 5_000,
  /** Every other control call (messages, pushes, merges). */
  default: 10_000,
});

const AGENT_PATH = /^\/agents\/[^/?]+\/(status|stop|message)(\?.*)?$/;

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** Only `/agents/start`, `/agents/:id/message`, `/git/merge` and `/repos/setup` start a stopped container. */
export function startsOnDemand(method: ControlMethod, path: string): boolean {
  if (method !== 'POST') return false;
  const p = pathOnly(path);
  if (p === '/agents/start' || p === '/git/merge' || p === '/repos/setup') return true;
  const m = AGENT_PATH.exec(p);
  return m !== null && m[1] === 'message';
}

/** An error envelope (`http-api.md` §1.1). */
export function errorEnvelope(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/**
 * A stopped container's answer: `GET /agents/:id/status` → 404 `not_found` (nothing runs there),
 * `POST /agents/:id/stop` → a no-op, anything else → 503 `container_unavailable`.
 */
export function stoppedAnswer(method: ControlMethod, path: string): ControlResponse {
  const m = AGENT_PATH.exec(pathOnly(path));
  if (m !== null && m[1] === 'status' && method === 'GET') {
    return { status: 404, body: errorEnvelope('not_found', 'The container is not running, so no agent runs there.') };
  }
  if (m !== null && m[1] === 'stop' && method === 'POST') {
    return { status: 200, body: { data: { stopped: false, status: 'exited' } } };
  }
  return { status: 503, body: errorEnvelope('container_unavailable', 'The town container is not running.') };
}

/** The body text as JSON, or null when it is empty or not JSON. */
export function parseBody(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isEnvelope(body: unknown): boolean {
  return typeof body === 'object' && body !== null && ('data' in body || 'error' in body);
}

/**
 * A reply that means the control server is not answering: a gateway error (502/504, the
 * launcher or the container runtime speaking), the launcher's 503 `container_unavailable` (its
 * proxy could not reach the server), or a 5xx that is not a JSON envelope. The server's own 500
 * `start_failed` and 503 `container_draining`/`hydrating` are answers.
 */
export function isTransportFailure(status: number, body: unknown): boolean {
  if (status === 502 || status === 504) return true;
  if (status === 503 && errorCodeOf(body) === 'container_unavailable') return true;
  return status >= 500 && !isEnvelope(body);
}

/** The `error.code` of an envelope, or null. */
export function errorCodeOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const e: unknown = body.error;
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : null;
}
