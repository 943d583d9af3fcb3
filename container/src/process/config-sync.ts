/**
 * `/sync-config` (`container.md` §2, §5.5): applies a config as the live config when its version
 * is ≥ the current one; after a git-auth change rewrites every running agent's token files (and
 * the rig credential files through the hook); schedules a restart at the next idle for agents
 * whose `KILO_CONFIG_CONTENT` changes (an idle agent restarts at once), keeping its session.
 */
import type { ContainerConfig, SyncConfigResult } from '../../../src/protocol/control.ts';
import { CRED_DIR_ENV, writeAgentTokenFiles } from '../env/cli-wrappers.ts';
import { agentCredDir } from '../layout.ts';
import type { AgentRecord } from './agent-record.ts';
import { isBuildError } from './env-builder.ts';
import { gitAuthChanged } from './live-config.ts';
import type { ManagerState } from './manager-context.ts';
import { errorText } from './worker-reports.ts';

/** What the sync needs from the manager. */
export interface SyncOps {
  /** Applies `config` as the live config; false when its version is older. */
  apply(config: ContainerConfig): boolean;
  /** Runs the scheduled restart of an idle agent now (under its mutex). */
  restartNow(record: AgentRecord): void;
}

/** Applies `config` and schedules the restarts it implies. */
export async function syncLiveConfig(state: ManagerState, config: ContainerConfig, ops: SyncOps): Promise<SyncConfigResult> {
  const { deps } = state;
  const before = deps.liveConfig.current;
  const applied = ops.apply(config);
  let restarts = 0;
  if (applied) {
    const authChanged = gitAuthChanged(before, config);
    for (const record of state.agents.values()) {
      if (record.status !== 'running' || record.built === null) continue;
      const built = await deps.envBuilder.build(record.request, config);
      if (isBuildError(built)) continue;
      if (authChanged) {
        const credDir = built.env[CRED_DIR_ENV] ?? agentCredDir(deps.envBuilder.paths.root, record.agentId);
        await writeAgentTokenFiles(credDir, built.env).catch((err: unknown) => deps.log.warn('agent.token_files_failed', { agent_id: record.agentId, error: errorText(err) }));
      }
      if (built.configContent === record.built.configContent) continue;
      record.restartAtIdle = true;
      restarts += 1;
      if (!record.busy) ops.restartNow(record);
    }
    if (authChanged && deps.onGitAuthChanged !== undefined) {
      await deps.onGitAuthChanged(config).catch((err: unknown) => deps.log.warn('config.git_auth_rewrite_failed', { error: errorText(err) }));
    }
  }
  return { applied, version: deps.liveConfig.version, restarts_scheduled: restarts };
}
