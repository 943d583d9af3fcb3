/**
 * A loopback stub of the worker's routes that the control server calls (P and C of `http-api.md`
 * §4.3, §4.5), for container tests: `startFakeWorkerApi()` listens on 127.0.0.1:0, records every
 * request, validates bodies with the shared schemas and answers like the worker; tests steer it
 * with `setResponse`, `failNext`, `setPrime`, the registry and the mayor-id / drain-status values.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { PrimeResult } from '../../../src/protocol/agent.ts';
import type { Done } from '../../../src/protocol/agent.ts';
import type { DrainStatus, MayorIdResult } from '../../../src/protocol/container.ts';
import type { ContainerConfig } from '../../../src/protocol/control.ts';
import { buildRoutes } from './routes.ts';
import { FakeState, globToRegExp } from './state.ts';
import type { FakeHandler, RecordedRequest } from './state.ts';

export type { FakeHandler, RecordedRequest } from './state.ts';
export { fakeAgent, fakeBead, fakePrime } from './records.ts';

/** Options of `startFakeWorkerApi`. Without a token for a principal, any bearer is accepted for it. */
export interface FakeWorkerApiOptions {
  townId: string;
  containerToken?: string;
  /** agent id → its initial valid token. */
  agentTokens?: Record<string, string>;
}

/** A running fake worker API. */
export interface FakeWorkerApi {
  /** `http://127.0.0.1:<port>`: the `apiUrl` of the control server under test. */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Overrides the answer for paths matching `pathGlob` (`*` one segment, `**` any; no leading `/` = suffix); null removes it. */
  setResponse(pathGlob: string, handler: FakeHandler | null): void;
  /** The next `count` requests matching `path` (a glob as above) get `status` with an error envelope. */
  failNext(path: string, status: number, count?: number): void;
  /** The stored registry (`C/registry`). */
  registry: { get(): Record<string, unknown>; set(value: Record<string, unknown>): void };
  /** What `C/mayor-id` answers. */
  setMayorId(result: MayorIdResult): void;
  /** What `C/drain-status` answers. */
  setDrainStatus(status: DrainStatus): void;
  /** Events received per agent (`P/events`). */
  events(agentId: string): { type: string; data: unknown; at: string }[];
  /** Snapshot bytes stored per agent (`P/db-snapshot`). */
  snapshots: Map<string, Uint8Array>;
  /** The token `refresh-git-token` returns (null → 409 `no_git_credentials`). */
  setGitToken(token: string | null): void;
  /** Makes `token` the only valid one for `principal` (`container` or an agent id); older ones stop working. */
  setValidToken(principal: string, token: string): void;
  /** What `P/prime` answers for `agentId` (validated with `PrimeResult`; throws when invalid). */
  setPrime(agentId: string, result: PrimeResult): void;
  /** The `P/done` bodies accepted for `agentId` (validated with `Done`), in arrival order. */
  dones(agentId: string): Done[];
  /** Resolves with the first request (already recorded or future) satisfying `pred`. */
  waitFor(pred: (r: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** Requests whose path matches `pathGlob`. */
  matching(pathGlob: string, method?: string): RecordedRequest[];
  stop(): Promise<void>;
}

/** A `ContainerConfig` valid for `townId`, pointing at `apiUrl`, with no provider. */
export function fakeContainerConfig(townId: string, apiUrl: string): ContainerConfig {
  return { version: 1, town_id: townId, api_url: apiUrl, provider: null, git_auth: {}, disable_ai_coauthor: false, env_vars: {} };
}

/** Starts the fake on 127.0.0.1 with an OS-chosen port. */
export async function startFakeWorkerApi(opts: FakeWorkerApiOptions): Promise<FakeWorkerApi> {
  const state = new FakeState({ agent_id: null, agent_token: null, model: '', small_model: '', config: fakeContainerConfig(opts.townId, 'http://127.0.0.1:1') });
  if (opts.containerToken !== undefined) state.tokens.set('container', new Set([opts.containerToken]));
  for (const [agentId, token] of Object.entries(opts.agentTokens ?? {})) state.tokens.set(agentId, new Set([token]));

  const app = buildRoutes(state, opts.townId);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  state.mayorId = { ...state.mayorId, config: fakeContainerConfig(opts.townId, url) };

  return {
    url,
    requests: state.requests,
    setResponse(pathGlob, handler) {
      const re = globToRegExp(pathGlob);
      const i = state.overrides.findIndex((o) => o.re.source === re.source);
      if (i >= 0) state.overrides.splice(i, 1);
      if (handler !== null) state.overrides.push({ re, handler });
    },
    failNext(path, status, count = 1) {
      state.failures.push({ re: globToRegExp(path), status, remaining: count });
    },
    registry: {
      get: () => state.registry,
      set: (value) => {
        state.registry = value;
        state.registryUpdatedAt = new Date().toISOString();
      },
    },
    setMayorId: (result) => {
      state.mayorId = result;
    },
    setDrainStatus: (status) => {
      state.drainStatus = status;
    },
    events: (agentId) => state.events.get(agentId) ?? [],
    snapshots: state.snapshots,
    setGitToken: (token) => {
      state.gitToken = token;
    },
    setValidToken: (principal, token) => {
      state.tokens.set(principal, new Set([token]));
    },
    setPrime: (agentId, result) => {
      state.primes.set(agentId, PrimeResult.parse(result));
    },
    dones: (agentId) => state.dones.get(agentId) ?? [],
    waitFor: (pred) => state.waitFor(pred),
    matching(pathGlob, method) {
      const re = globToRegExp(pathGlob);
      return state.requests.filter((r) => re.test(r.path) && (method === undefined || r.method === method));
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A handler a test left hanging must not keep the server open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
