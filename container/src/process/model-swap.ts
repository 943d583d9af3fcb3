/**
 * Model hot-swap and config restarts (`container.md` §5.5), keeping the session: a new server
 * first (never a cache hit), the same session resumed on it (fallback: the newest), a `noReply`
 * prompt naming the new model, then the old server closed. Until the new server is installed
 * nothing of the old one changes, so a failure leaves the old server, session and model in place.
 */
import type { StartAgentRequest } from '../../../src/protocol/control.ts';
import { provisionAgentDirs } from '../env/build-agent-env.ts';
import type { BuiltAgentEnv } from '../env/build-agent-env.ts';
import { CRED_DIR_ENV, writeAgentTokenFiles } from '../env/cli-wrappers.ts';
import { agentCredDir } from '../layout.ts';
import type { AgentRecord, PendingModelChange } from './agent-record.ts';
import { ModelSwapFailed } from './errors.ts';
import { isBuildError, modelRefOf } from './env-builder.ts';
import { bindSession } from './manager-context.ts';
import type { ManagerState } from './manager-context.ts';
import type { PooledServer } from './server-pool.ts';
import { markerTool } from './start-sequence.ts';
import { errorText } from './worker-reports.ts';

/** The request after `change` (the record's own when null: a config restart). */
export function requestWith(record: AgentRecord, change: PendingModelChange | null): StartAgentRequest {
  if (change === null) return record.request;
  return { ...record.request, model: change.model, small_model: change.smallModel };
}

/** Builds `record`'s env for `change` from the live config; throws `ModelSwapFailed` without a provider. */
export async function buildSwapEnv(state: ManagerState, record: AgentRecord, change: PendingModelChange | null): Promise<BuiltAgentEnv> {
  const live = state.deps.liveConfig.current ?? record.request.config;
  const result = await state.deps.envBuilder.build(requestWith(record, change), live);
  if (isBuildError(result)) throw new ModelSwapFailed(result.error.message);
  return result;
}

/** The session to resume on `server`: `wanted` if it exists there, else the newest. */
async function resumeSession(server: PooledServer, wanted: string | null): Promise<string> {
  const client = server.handle.client;
  if (wanted !== null) {
    try {
      return (await client.getSession(wanted)).id;
    } catch {
      // fall through to the newest
    }
  }
  const sessions = await client.listSessions();
  const newest = sessions.reduce<(typeof sessions)[number] | null>((best, s) => (best === null || s.updatedAt > best.updatedAt ? s : best), null);
  if (newest === null) throw new ModelSwapFailed('no session to resume on the new server');
  return newest.id;
}

/**
 * Moves running, idle `record` onto a new server built from `built` (the env for `change`).
 * Call under the agent mutex. Throws `ModelSwapFailed` with everything old left in place.
 */
export async function swapServer(state: ManagerState, record: AgentRecord, change: PendingModelChange | null, built: BuiltAgentEnv): Promise<void> {
  const { deps } = state;
  const workdir = record.workdir;
  const old = record.server;
  if (workdir === null || old === null) throw new ModelSwapFailed('the agent has no server to swap');
  let fresh: PooledServer;
  try {
    await provisionAgentDirs(built.home, deps.envBuilder.paths);
    await writeAgentTokenFiles(built.env[CRED_DIR_ENV] ?? agentCredDir(deps.envBuilder.paths.root, record.agentId), built.env);
    // The backend bounds the spawn by `serverListenTimeoutMs`; nothing else cancels a swap.
    fresh = await deps.pool.createDetached(workdir, built, new AbortController().signal);
  } catch (err) {
    throw new ModelSwapFailed(`could not start the new server: ${errorText(err)}`);
  }
  let sessionId: string;
  try {
    const ids = await fresh.handle.client.toolIds();
    if (!ids.includes(markerTool(record.role))) throw new ModelSwapFailed(`the new server lists no ${markerTool(record.role)} tool`);
    sessionId = await resumeSession(fresh, record.sessionId);
  } catch (err) {
    await deps.pool.close(fresh);
    throw err instanceof ModelSwapFailed ? err : new ModelSwapFailed(`could not resume the session: ${errorText(err)}`);
  }
  fresh.liveSessionId = sessionId;
  const model = modelRefOf(built.configContent);
  if (model !== undefined) {
    await fresh.handle.client.prompt(sessionId, { noReply: true, parts: [{ type: 'text', text: '' }], model }).catch((err: unknown) => {
      deps.log.warn('agent.model_switch_prompt_failed', { agent_id: record.agentId, error: errorText(err) });
    });
  }
  // Commit: from here on the new server is the agent's.
  deps.pool.install(fresh);
  record.server = fresh;
  record.built = built;
  record.request = requestWith(record, change);
  bindSession(state, record, sessionId);
  record.pendingModel = null;
  record.restartAtIdle = false;
  old.liveSessionId = null;
  await deps.pool.close(old);
  state.registryChanged();
  deps.log.info('agent.server_swapped', { agent_id: record.agentId, model: record.request.model, session_id: sessionId });
}
