/**
 * Boot hydration (`container.md` §4), run behind the gate: renew a container token close to
 * expiry; read the registry (abandoned at `registryFetchTimeoutMs`; any failure = empty); resume
 * its agents 4 at a time, mayor first, each with a renewed agent token; prewarm the mayor if none
 * was resumed; then the drain handshake. Registry PUTs are enabled once the registry was read.
 */
import { DrainStatus, RegistryGetResult } from '../../../src/protocol/container.ts';
import type { ContainerReady } from '../../../src/protocol/container.ts';
import { Registry } from '../../../src/protocol/control.ts';
import type { RegistryAgent, StartAgentRequest } from '../../../src/protocol/control.ts';
import type { Logger } from '../redact.ts';
import type { Timings } from '../timings.ts';
import type { AgentCredentials, WorkerClient } from '../worker-client.ts';
import type { ProcessManager } from '../process/process-manager.ts';
import type { RegistrySync } from '../process/registry-sync.ts';
import { errorText } from '../process/worker-reports.ts';
import { refreshIfExpiring } from './container-token.ts';
import type { HydrationGate } from './gate.ts';
import { prewarmMayor } from './mayor-prewarm.ts';

/** Agents resumed at a time. */
export const RESUME_CONCURRENCY = 4;

/** Runs `resumeOne` over `agents` (mayor first); the default runs `RESUME_CONCURRENCY` at a time. */
export type ResumeStrategy = (agents: RegistryAgent[], resumeOne: (a: RegistryAgent) => Promise<void>) => Promise<void>;

/** Bounded-concurrency resume: `limit` workers pulling from one queue, in order. */
export function boundedResume(limit: number = RESUME_CONCURRENCY): ResumeStrategy {
  return async (agents, resumeOne) => {
    const queue = [...agents];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await resumeOne(next);
    };
    await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  };
}

/** Dependencies of boot hydration. */
export interface BootHydrationDeps {
  gate: HydrationGate;
  worker: WorkerClient;
  manager: ProcessManager;
  registrySync: RegistrySync;
  timings: Timings;
  log: Logger;
  containerInstanceId: string;
  getContainerToken(): string;
  resume?: ResumeStrategy;
}

/** Starts boot hydration behind the gate; a call during a run returns the running one. Never rejects. */
export function bootHydration(deps: BootHydrationDeps): Promise<void> {
  return deps.gate.run(() => hydrate(deps));
}

async function hydrate(deps: BootHydrationDeps): Promise<void> {
  const { log, timings, worker, manager } = deps;
  const started = performance.now();
  log.info('hydration.started', {});
  try {
    await refreshIfExpiring(worker, deps.getContainerToken(), timings.tokenRefreshBeforeExpiryMs, log);
    const registry = await readRegistry(deps);
    deps.registrySync.enable();
    if (registry.config !== null) manager.applyLiveConfig(registry.config);
    const ordered = [...registry.agents].sort((a, b) => Number(b.role === 'mayor') - Number(a.role === 'mayor'));
    await (deps.resume ?? boundedResume())(ordered, (a) => resumeAgent(deps, a));
    const mayorLive = [...manager.agents.values()].some((r) => r.role === 'mayor' && (r.status === 'running' || r.status === 'starting'));
    if (!mayorLive) {
      const outcome = await prewarmMayor(manager.deps, (c) => manager.applyLiveConfig(c), new AbortController().signal);
      if (outcome.warmed) manager.markMayorReady();
    }
    await drainHandshake(deps);
  } catch (err) {
    log.error('hydration.failed', { error: errorText(err) });
  } finally {
    deps.registrySync.enable();
    log.info('hydration.finished', { duration_ms: Math.round(performance.now() - started) });
  }
}

/** `GET C/registry`, abandoned at `registryFetchTimeoutMs`; a timeout, error or bad body is the empty registry. */
async function readRegistry(deps: BootHydrationDeps): Promise<Registry> {
  const empty: Registry = { config: null, agents: [] };
  const timeoutMs = deps.timings.registryFetchTimeoutMs;
  try {
    const data = await deps.worker.container<unknown>('GET', '/registry', undefined, { timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    const outer = RegistryGetResult.safeParse(data);
    if (!outer.success || Object.keys(outer.data.registry).length === 0) return empty;
    const parsed = Registry.safeParse(outer.data.registry);
    if (!parsed.success) {
      deps.log.warn('hydration.registry_invalid', { issues: parsed.error.issues.length });
      return empty;
    }
    deps.log.info('hydration.registry_read', { agents: parsed.data.agents.length });
    return parsed.data;
  } catch (err) {
    deps.log.warn('hydration.registry_unavailable', { error: errorText(err) });
    return empty;
  }
}

/** Renews the stored agent token, then the normal start with the stored request; a failure is reported `failed`. */
async function resumeAgent(deps: BootHydrationDeps, agent: RegistryAgent): Promise<void> {
  const { worker, manager, log } = deps;
  let token = agent.request.agent_token;
  const creds: AgentCredentials = { agentId: agent.agent_id, rigId: agent.request.rig_id, getToken: () => token, setToken: (t) => (token = t) };
  try {
    await worker.renewAgentToken(creds);
    manager.deps.redactor.addSecret(token);
    await manager.start(resumeRequest(agent.request, token));
    log.info('hydration.agent_resumed', { agent_id: agent.agent_id, role: agent.role });
  } catch (err) {
    const reason = manager.deps.redactor.redact(`resume failed: ${errorText(err)}`).slice(0, 1024);
    log.warn('hydration.agent_resume_failed', { agent_id: agent.agent_id, role: agent.role, error: reason });
    void manager.deps.reports.completed(creds, { status: 'failed', reason });
  }
}

/** The stored request with the renewed token; the mayor resumes its session without replaying its last prompt. */
function resumeRequest(stored: StartAgentRequest, token: string): StartAgentRequest {
  const request: StartAgentRequest = { ...stored, agent_token: token };
  if (request.role === 'mayor') {
    delete request.prompt;
    delete request.dashboard_context;
  }
  return request;
}

/** `GET C/drain-status`; when the town is draining, `POST C/ready {nonce, container_instance_id}` once. */
async function drainHandshake(deps: BootHydrationDeps): Promise<void> {
  try {
    const parsed = DrainStatus.safeParse(await deps.worker.container<unknown>('GET', '/drain-status'));
    if (!parsed.success || !parsed.data.draining || parsed.data.drain_nonce === null) return;
    const body: ContainerReady = { nonce: parsed.data.drain_nonce, container_instance_id: deps.containerInstanceId };
    await deps.worker.container('POST', '/ready', body);
    deps.log.info('hydration.drain_ended', { nonce: parsed.data.drain_nonce });
  } catch (err) {
    deps.log.warn('hydration.drain_handshake_failed', { error: errorText(err) });
  }
}
