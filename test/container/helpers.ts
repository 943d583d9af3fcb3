/**
 * Helpers of the container tests: a capturing logger, a worker client wired to a fake worker
 * API with test timings, mutable agent credentials, and JSON requests to a control app.
 */
import type { FakeWorkerApi } from '../fakes/worker-api/index.ts';
import { createLogger, Redactor } from '../../container/src/redact.ts';
import type { Logger } from '../../container/src/redact.ts';
import { timingsFor } from '../../container/src/timings.ts';
import type { Timings } from '../../container/src/timings.ts';
import { WorkerClient } from '../../container/src/worker-client.ts';
import { CONTROL_SECRET_HEADER } from '../../src/protocol/control.ts';
import type { AgentCredentials } from '../../container/src/worker-client.ts';

/** A logger that keeps parsed lines. */
export function captureLog(redactor = new Redactor()): { log: Logger; lines: Record<string, unknown>[]; msgs: () => string[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(redactor, (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  return { log, lines, msgs: () => lines.map((l) => String(l.msg)) };
}

/** Agent credentials with a settable token. */
export function creds(agentId: string, rigId: string, token: string): AgentCredentials & { token: string } {
  return {
    agentId,
    rigId,
    token,
    getToken() {
      return this.token;
    },
    setToken(t: string) {
      this.token = t;
    },
  };
}

/** A worker client against `api` with the test timings (overridable). */
export function clientFor(
  api: FakeWorkerApi,
  townId: string,
  opts: { containerToken?: string; timings?: Partial<Timings>; log?: Logger; secrets?: string[] } = {},
): { client: WorkerClient; containerToken: () => string; timings: Timings } {
  let token = opts.containerToken ?? 'container-token-0';
  const timings = { ...timingsFor({ GASTOWN_TIMING: 'test' }), ...opts.timings };
  const client = new WorkerClient({
    apiUrl: api.url,
    townId,
    getContainerToken: () => token,
    setContainerToken: (t) => {
      token = t;
    },
    timings,
    log: opts.log ?? captureLog().log,
    onSecret: (s) => opts.secrets?.push(s),
  });
  return { client, containerToken: () => token, timings };
}

/** A JSON request to the control app `app`; by default it carries the control secret `secret`. */
export type ControlRequest = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

export function controlRequester(app: { request(path: string, init: RequestInit): Response | Promise<Response> }, secret: string): ControlRequest {
  return async (method, path, body, headers = { [CONTROL_SECRET_HEADER]: secret }) =>
    await app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}
