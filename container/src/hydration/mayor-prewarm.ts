/**
 * The mayor prewarm (`container.md` §4 step 4, seed 002): from `C/mayor-id`, build the mayor's
 * env with the START path's builder (role, ids, git tokens, Kilo auth — so its plugin registers the
 * mayor tools and its `KILO_CONFIG_CONTENT` equals the next start's byte for byte), create the
 * mayor workspace BEFORE anything runs in it, hydrate kilo.db and `ensureServer` without a session.
 */
import { MayorIdResult } from '../../../src/protocol/container.ts';
import type { StartAgentRequest } from '../../../src/protocol/control.ts';
import { provisionAgentDirs } from '../env/build-agent-env.ts';
import { CRED_DIR_ENV, writeAgentTokenFiles } from '../env/cli-wrappers.ts';
import { agentCredDir } from '../layout.ts';
import type { AgentCredentials } from '../worker-client.ts';
import { isBuildError } from '../process/env-builder.ts';
import type { ManagerDeps } from '../process/manager-context.ts';
import { markerTool } from '../process/start-sequence.ts';
import { errorText } from '../process/worker-reports.ts';

/** The dispatch id of a prewarm request (the worker's prewarm token has `dispatchId: null`). */
export const PREWARM_DISPATCH_ID = '00000000-0000-0000-0000-000000000000';

/** What the prewarm did. */
export type PrewarmOutcome = { warmed: true; workdir: string } | { warmed: false; reason: string };

/** The start request the prewarm builds its env from: what the worker's next mayor start carries. */
export function prewarmRequest(m: MayorIdResult & { agent_id: string; agent_token: string }): StartAgentRequest {
  return {
    dispatch_id: PREWARM_DISPATCH_ID,
    agent_id: m.agent_id,
    town_id: m.config.town_id,
    rig_id: m.config.town_id,
    role: 'mayor',
    name: 'mayor',
    model: m.model,
    small_model: m.small_model,
    agent_token: m.agent_token,
    config: m.config,
  };
}

/** Applies a config as the live config (the manager's, so the redactor learns its secrets). */
export type ApplyConfig = (config: MayorIdResult['config']) => void;

/** Runs the prewarm; never throws. */
export async function prewarmMayor(deps: ManagerDeps, applyConfig: ApplyConfig, signal: AbortSignal): Promise<PrewarmOutcome> {
  const { worker, log } = deps;
  const skip = (reason: string): PrewarmOutcome => {
    log.info('mayor.prewarm_skipped', { reason });
    return { warmed: false, reason };
  };
  if (worker === null) return skip('no worker API');
  let mayor: MayorIdResult;
  try {
    const parsed = MayorIdResult.safeParse(await worker.container<unknown>('GET', '/mayor-id', undefined, { signal }));
    if (!parsed.success) return skip('mayor-id returned an unexpected body');
    mayor = parsed.data;
  } catch (err) {
    return skip(`mayor-id failed: ${errorText(err)}`);
  }
  applyConfig(mayor.config);
  const { agent_id: agentId, agent_token: agentToken } = mayor;
  if (agentId === null) return skip('no mayor agent id');
  if (agentToken === null) return skip('no mayor agent token');
  if (mayor.model === '' || mayor.small_model === '') return skip('mayor model is empty');
  deps.redactor.addSecret(agentToken);
  const request = prewarmRequest({ ...mayor, agent_id: agentId, agent_token: agentToken });
  const live = deps.liveConfig.current ?? mayor.config;
  try {
    const built = await deps.envBuilder.build(request, live);
    if (isBuildError(built)) return skip(`provider: ${built.error.message}`);
    // The workspace exists before any process gets it as its cwd.
    const workdir = await deps.workspaces.mayorWorkspace(signal);
    await provisionAgentDirs(built.home, deps.envBuilder.paths);
    await writeAgentTokenFiles(built.env[CRED_DIR_ENV] ?? agentCredDir(deps.envBuilder.paths.root, agentId), built.env);
    let token = agentToken;
    const creds: AgentCredentials = { agentId, rigId: request.rig_id, getToken: () => token, setToken: (t) => (token = t) };
    if (deps.pool.get(workdir) === undefined) await deps.dbSnapshots.hydrate({ creds, home: built.home }, signal);
    const { server, created } = await deps.pool.ensureServer(workdir, built, signal);
    const ids = await server.handle.client.toolIds();
    if (!ids.includes(markerTool('mayor'))) {
      // A mayor server without its tools must never be handed to the next start (seed 002).
      await deps.pool.close(server);
      return skip('the prewarmed server lists no mayor tools');
    }
    log.info('mayor.prewarm_complete', { agent_id: agentId, workdir, created });
    return { warmed: true, workdir };
  } catch (err) {
    return skip(`prewarm failed: ${errorText(err)}`);
  }
}
